package org.tmem4j.cli.study;

import java.awt.Font;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The study's charts, as PNG files (XChart, headless), each with the study's context (corpus, pages, passes, JVM)
 * as its subtitle:
 * <ul>
 * <li>{@value #DENSITY}: density of each configuration after the fill, after freeing every other page and after
 * compaction, beside each other;</li>
 * <li>{@value #THROUGHPUT}: frontswap store and load against the raw codec's compress and decompress, each
 * configuration labelled with its speeds as a share of the codec's;</li>
 * <li>{@code zsmalloc-classes-CODEC.png}: per size class of zsmalloc that holds objects, a bar of live objects and
 * one of wasted KiB after the fill (classes without objects have no bar).</li>
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
    /** Where the subtitle's baseline sits, in pixels from the top: just under the title. */
    private static final int SUBTITLE_Y = 42;

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
     * Creates the directory the charts will go to, so that a study does not run for minutes only to find it cannot
     * write them.
     *
     * @param dir the directory.
     * @throws IllegalArgumentException saying why, if it cannot be created or written to.
     */
    public static void createDirectory(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalArgumentException("--plot " + dir + ": " + ex.getFile() + " exists and is not a directory",
                ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new IllegalArgumentException("--plot " + dir + ": cannot create " + ex.getFile()
                + ": permission denied", ex);
        }
        catch (final FileSystemException ex)
        {
            throw new IllegalArgumentException("--plot " + dir + ": cannot create " + ex.getFile() + ": "
                + (ex.getReason() != null ? ex.getReason() : ex.getClass().getSimpleName()), ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--plot " + dir + ": cannot create it: " + ex.getMessage(), ex);
        }
        if (!Files.isWritable(dir))
        {
            throw new IllegalArgumentException("--plot " + dir + ": the directory is not writable");
        }
    }

    /**
     * Writes every chart into {@code dir}, creating it if needed.
     *
     * @param dir   the directory.
     * @param study what the study measured.
     * @return the files written.
     * @throws IOException if a file cannot be written.
     */
    public static List<Path> write(final Path dir, final StudyResults study) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        createDirectory(dir);
        final String subtitle = study.context().subtitle();
        final List<Path> written = new ArrayList<>();
        written.add(save(densityChart(study.results()), subtitle, dir.resolve(DENSITY)));
        written.add(save(throughputChart(study.results()), subtitle, dir.resolve(THROUGHPUT)));
        for (final Map.Entry<String, List<SizeClassOccupancy>> classes : study.occupancy().entrySet())
        {
            written.add(save(classesChart(classes.getKey(), classes.getValue()), subtitle,
                dir.resolve(classesFileName(classes.getKey()))));
        }
        return written;
    }

    static CategoryChart densityChart(final List<StudyResult> results)
    {
        final CategoryChart chart = chart("Density (compressed bytes / pool bytes)", "allocator / codec", "density");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        final List<String> names = results.stream().map(r -> r.allocator() + " / " + r.codec()).toList();
        chart.addSeries("after fill", names, results.stream().map(StudyResult::density).toList());
        chart.addSeries("after freeing every other page", names,
            results.stream().map(StudyResult::churnDensity).toList());
        chart.addSeries("after compaction", names, results.stream().map(StudyResult::compactedDensity).toList());
        return chart;
    }

    static CategoryChart throughputChart(final List<StudyResult> results)
    {
        final CategoryChart chart = chart("Frontswap store/load vs the raw codec on the same pages",
            "allocator / codec (frontswap speed as a share of the raw codec's)", "MB/s of original pages");
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        final List<String> names = results.stream().map(StudyCharts::throughputLabel).toList();
        chart.addSeries("frontswap store", names, results.stream().map(StudyResult::storeMbPerS).toList());
        chart.addSeries("raw compress", names, results.stream().map(StudyResult::codecCompressMbPerS).toList());
        chart.addSeries("frontswap load", names, results.stream().map(StudyResult::loadMbPerS).toList());
        chart.addSeries("raw decompress", names, results.stream().map(StudyResult::codecDecompressMbPerS).toList());
        return chart;
    }

    /**
     * @param result a configuration.
     * @return its throughput chart label: e.g. {@code zsmalloc / lz4: store 77%, load 46% of codec}.
     */
    static String throughputLabel(final StudyResult result)
    {
        return String.format(Locale.ROOT, "%s / %s: store %.0f%%, load %.0f%% of codec", result.allocator(),
            result.codec(), result.storeShareOfCodec() * 100, result.loadShareOfCodec() * 100);
    }

    static CategoryChart classesChart(final String codec, final List<SizeClassOccupancy> classes)
    {
        final CategoryChart chart = chart("zsmalloc size classes holding objects after the fill (" + codec + ")",
            "class size (bytes)", "live objects");
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(1, "wasted KiB");
        final List<SizeClassOccupancy> used = classes.stream().filter(c -> c.objects() > 0).toList();
        final List<String> sizes = used.isEmpty() ? List.of("none")
            : used.stream().map(c -> Integer.toString(c.size())).toList();
        chart.addSeries("live objects", sizes,
            used.isEmpty() ? List.of(0) : used.stream().map(SizeClassOccupancy::objects).toList())
            .setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Bar);
        final CategorySeries wasted = chart.addSeries("wasted KiB (right axis)", sizes,
            used.isEmpty() ? List.of(0) : used.stream().map(c -> c.wastedBytes() / 1024.0).toList());
        wasted.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Bar);
        wasted.setYAxisGroup(1);
        return chart;
    }

    private static CategoryChart chart(final String title, final String xAxis, final String yAxis)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Bar);
        return chart;
    }

    private static Path save(final Chart<?, ?> chart, final String subtitle, final Path file) throws IOException
    {
        final AnnotationText context = new AnnotationText(subtitle, WIDTH / 2.0, HEIGHT - SUBTITLE_Y, true);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.addAnnotation(context);
        // XChart appends the extension itself
        final String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - ".png".length()), BitmapFormat.PNG);
        return file;
    }
}
