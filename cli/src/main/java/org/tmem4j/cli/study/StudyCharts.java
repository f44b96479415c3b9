package org.tmem4j.cli.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The study's charts, as PNG files (XChart, headless):
 * <ul>
 * <li>{@value #DENSITY}: density of each configuration after the fill, after freeing every other page and after
 * compaction, beside each other;</li>
 * <li>{@value #THROUGHPUT}: frontswap store and load against the raw codec's compress and decompress;</li>
 * <li>{@code zsmalloc-classes-CODEC.png}: per size class of zsmalloc, live objects and wasted bytes after the
 * fill.</li>
 * </ul>
 */
public final class StudyCharts
{
    /** File name of the density chart. */
    public static final String DENSITY = "density.png";
    /** File name of the throughput chart. */
    public static final String THROUGHPUT = "throughput.png";

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 700;

    private StudyCharts()
    {
    }

    /**
     * @param codec the codec of a zsmalloc configuration.
     * @return the file name of its class occupancy chart.
     */
    public static String classesFileName(final String codec)
    {
        return "zsmalloc-classes-" + codec.replaceAll("[^A-Za-z0-9_-]", "_") + ".png";
    }

    /**
     * Writes every chart into {@code dir}, creating it if needed.
     *
     * @param dir       the directory.
     * @param results   the configurations measured.
     * @param occupancy per codec, zsmalloc's size classes after the fill (empty when zsmalloc was not studied).
     * @return the files written.
     * @throws IOException if a file cannot be written.
     */
    public static List<Path> write(final Path dir, final List<StudyResult> results,
        final Map<String, List<SizeClassOccupancy>> occupancy) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        final List<Path> written = new ArrayList<>();
        written.add(save(densityChart(results), dir.resolve(DENSITY)));
        written.add(save(throughputChart(results), dir.resolve(THROUGHPUT)));
        for (final Map.Entry<String, List<SizeClassOccupancy>> classes : occupancy.entrySet())
        {
            written.add(save(classesChart(classes.getKey(), classes.getValue()),
                dir.resolve(classesFileName(classes.getKey()))));
        }
        return written;
    }

    static CategoryChart densityChart(final List<StudyResult> results)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Density (compressed bytes / pool bytes)").xAxisTitle("allocator / codec").yAxisTitle("density")
            .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        final List<String> names = names(results);
        chart.addSeries("after fill", names, results.stream().map(StudyResult::density).toList());
        chart.addSeries("after freeing every other page", names,
            results.stream().map(StudyResult::churnDensity).toList());
        chart.addSeries("after compaction", names, results.stream().map(StudyResult::compactedDensity).toList());
        return chart;
    }

    static CategoryChart throughputChart(final List<StudyResult> results)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Frontswap store/load vs the raw codec on the same pages").xAxisTitle("allocator / codec")
            .yAxisTitle("MB/s of original pages").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        final List<String> names = names(results);
        chart.addSeries("frontswap store", names, results.stream().map(StudyResult::storeMbPerS).toList());
        chart.addSeries("raw compress", names, results.stream().map(StudyResult::codecCompressMbPerS).toList());
        chart.addSeries("frontswap load", names, results.stream().map(StudyResult::loadMbPerS).toList());
        chart.addSeries("raw decompress", names, results.stream().map(StudyResult::codecDecompressMbPerS).toList());
        return chart;
    }

    static XYChart classesChart(final String codec, final List<SizeClassOccupancy> classes)
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title("zsmalloc size classes after the fill (" + codec + ")").xAxisTitle("class size (bytes)")
            .yAxisTitle("live objects").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(1, "wasted KiB");
        final List<SizeClassOccupancy> used = classes.stream().filter(c -> c.objects() > 0).toList();
        final List<Integer> sizes = used.isEmpty() ? List.of(0) : used.stream().map(SizeClassOccupancy::size).toList();
        final XYSeries objects = chart.addSeries("live objects", sizes,
            used.isEmpty() ? List.of(0) : used.stream().map(SizeClassOccupancy::objects).toList());
        objects.setMarker(SeriesMarkers.CIRCLE);
        final XYSeries wasted = chart.addSeries("wasted KiB", sizes,
            used.isEmpty() ? List.of(0) : used.stream().map(c -> c.wastedBytes() / 1024.0).toList());
        wasted.setMarker(SeriesMarkers.DIAMOND);
        wasted.setYAxisGroup(1);
        return chart;
    }

    private static List<String> names(final List<StudyResult> results)
    {
        return results.stream().map(r -> r.allocator() + " / " + r.codec()).toList();
    }

    private static Path save(final org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, final Path file)
        throws IOException
    {
        // XChart appends the extension itself
        final String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - ".png".length()), BitmapFormat.PNG);
        return file;
    }
}
