package org.tmem4j.cli.study;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tmem4j.cli.Version;
import org.tmem4j.cli.corpus.PageCorpus;

/**
 * Where, when and on what a study ran: the context every output carries, so that a chart or a JSON line read later
 * still says what it measured.
 *
 * @param version       tmem4j's version.
 * @param jvm           the JVM's vendor and version, e.g. {@code Eclipse Adoptium 25.0.3+9-LTS}.
 * @param os            the operating system's name, version and architecture.
 * @param cores         processors available to the JVM.
 * @param start         when the study started.
 * @param corpus        the files the pages came from.
 * @param pages         pages of the corpus.
 * @param trailingBytes per corpus file that does not end on a page boundary, the bytes left out.
 * @param repeat        passes per configuration; speeds are the fastest pass's.
 * @param preTouch      whether the engines' memory was pre-touched ({@code --pre-touch}).
 */
public record StudyContext(
    String version,
    String jvm,
    String os,
    int cores,
    Instant start,
    List<Path> corpus,
    int pages,
    Map<Path, Integer> trailingBytes,
    int repeat,
    boolean preTouch)
{
    /**
     * Copies the collections.
     */
    public StudyContext
    {
        corpus = List.copyOf(corpus);
        trailingBytes = Collections.unmodifiableMap(new LinkedHashMap<>(trailingBytes));
    }

    /**
     * @param options a study about to start.
     * @param start   now.
     * @return its context in this JVM.
     */
    static StudyContext of(final StudyOptions options, final Instant start)
    {
        final PageCorpus corpus = options.corpus();
        return new StudyContext(Version.project(), Version.jvm(), Version.os(),
            Runtime.getRuntime().availableProcessors(), start, corpus.files(), corpus.pageCount(),
            corpus.trailingBytes(), options.repeat(), options.backend().preTouch());
    }

    /**
     * @return one line for a chart's subtitle, e.g. {@code 42,909 pages of modules, libjvm.so; speeds: fastest of 3
     *         passes; Eclipse Adoptium 25.0.3+9-LTS, 2 cores; tmem4j 0.1.0}.
     */
    public String subtitle()
    {
        return String.format(Locale.ROOT, "%,d pages of %s; speeds: fastest of %d pass%s%s; %s, %d cores; tmem4j %s",
            pages, String.join(", ", corpus.stream().map(file -> String.valueOf(file.getFileName())).toList()), repeat,
            repeat == 1 ? "" : "es", preTouch ? ", memory pre-touched" : "", jvm, cores, version);
    }
}
