package org.tmem4j.cli.study;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Study} measured, which the table, the JSON lines and the charts present.
 *
 * @param context    where, when and on what the study ran.
 * @param results    one per allocator × codec configuration, codecs outermost, in the order asked.
 * @param occupancy  per codec label, zsmalloc's size classes after the fill (no entry when zsmalloc was not studied).
 * @param classTable per codec label, zsmalloc's class table after the fill with the kernel's debugfs columns.
 */
public record StudyResults(
    StudyContext context,
    List<StudyResult> results,
    Map<String, List<SizeClassOccupancy>> occupancy,
    Map<String, String> classTable)
{
    /**
     * Copies the collections.
     */
    public StudyResults
    {
        results = List.copyOf(results);
        occupancy = Collections.unmodifiableMap(new LinkedHashMap<>(occupancy));
        classTable = Collections.unmodifiableMap(new LinkedHashMap<>(classTable));
    }

    /**
     * @return true only if every page of every configuration loaded back as stored.
     */
    public boolean verified()
    {
        return results.stream().allMatch(StudyResult::verified);
    }
}
