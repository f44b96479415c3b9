/**
 * An application on the module path that uses tmem4j the way the README shows. It names only the frontends: the
 * engine comes with them, and the allocators are found as services.
 */
module org.tmem4j.consumer
{
    requires org.tmem4j.frontends;
}
