package dev.minigradient.launcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.minigradient.protocol.JsonSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * What {@code bench} measured: every figure beside its baseline, their ratio and the goal, plus the
 * machine it ran on; written as {@code bench.md} and {@code bench.json}.
 *
 * @param machine where it ran
 * @param settings the run's counts (tasks, samples, in flight...)
 * @param figures every figure, in section order
 * @param notes what bounds a figure, and what was skipped
 * @param wallSeconds how long the whole run took, s
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchReport(
    Machine machine,
    Map<String, Object> settings,
    List<Figure> figures,
    List<String> notes,
    double wallSeconds) {

  /** The sections, in report order. */
  public static final List<String> SECTIONS =
      List.of("worker", "models", "latency", "throughput", "scaling", "consensus", "scale");

  /**
   * One measured figure against its baseline.
   *
   * @param section one of {@link #SECTIONS}
   * @param name what was measured
   * @param value the figure
   * @param unit its unit (e.g. {@code votes/s}, {@code ms})
   * @param baseline what it is compared with
   * @param baselineValue the baseline's figure, same unit
   * @param ratio {@code value / baselineValue}
   * @param goal the goal on the ratio (e.g. {@code >= 0.80}), or null for a figure given for
   *     context
   * @param met whether the goal is met, null without a goal
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Figure(
      String section,
      String name,
      double value,
      String unit,
      String baseline,
      double baselineValue,
      double ratio,
      String goal,
      Boolean met) {

    /**
     * A figure whose ratio should be at least {@code min} (throughput-like).
     *
     * @param section the section
     * @param name what was measured
     * @param value the figure
     * @param unit its unit
     * @param baseline what it is compared with
     * @param baselineValue the baseline's figure
     * @param min the least acceptable ratio, or NaN for no goal
     * @return the figure
     */
    public static Figure atLeast(
        String section,
        String name,
        double value,
        String unit,
        String baseline,
        double baselineValue,
        double min) {
      return withGoal(
          section,
          name,
          value,
          unit,
          baseline,
          baselineValue,
          Double.isNaN(min) ? null : String.format(Locale.ROOT, ">= %.2f", min),
          ratio -> ratio >= min);
    }

    /**
     * A figure whose ratio should be at most {@code max} (latency-like).
     *
     * @param section the section
     * @param name what was measured
     * @param value the figure
     * @param unit its unit
     * @param baseline what it is compared with
     * @param baselineValue the baseline's figure
     * @param max the largest acceptable ratio, or NaN for no goal
     * @return the figure
     */
    public static Figure atMost(
        String section,
        String name,
        double value,
        String unit,
        String baseline,
        double baselineValue,
        double max) {
      return withGoal(
          section,
          name,
          value,
          unit,
          baseline,
          baselineValue,
          Double.isNaN(max) ? null : String.format(Locale.ROOT, "<= %.1f", max),
          ratio -> ratio <= max);
    }

    /** A figure with its ratio to the baseline, judged by {@code met} when it has a goal. */
    private static Figure withGoal(
        String section,
        String name,
        double value,
        String unit,
        String baseline,
        double baselineValue,
        String goal,
        DoublePredicate met) {
      double ratio = ratio(value, baselineValue);
      return new Figure(
          section,
          name,
          value,
          unit,
          baseline,
          baselineValue,
          ratio,
          goal,
          goal == null ? null : met.test(ratio));
    }

    private static double ratio(double value, double baseline) {
      return baseline == 0 ? Double.NaN : value / baseline;
    }
  }

  /**
   * The machine.
   *
   * @param cores available processors
   * @param cpu the CPU model from {@code /proc/cpuinfo}, or {@code unknown}
   * @param jvm the JVM's name and version
   * @param os the OS name, version and architecture
   * @param maxHeapMiB the JVM's maximum heap, MiB
   */
  public record Machine(int cores, String cpu, String jvm, String os, long maxHeapMiB) {
    /**
     * Describes this machine.
     *
     * @return the machine
     */
    public static Machine current() {
      String cpu = "unknown";
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name")) {
            cpu = line.substring(line.indexOf(':') + 1).trim();
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: unknown
      }
      return new Machine(
          Runtime.getRuntime().availableProcessors(),
          cpu,
          System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
          System.getProperty("os.name")
              + " "
              + System.getProperty("os.version")
              + " "
              + System.getProperty("os.arch"),
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
  }

  /**
   * The process's resident set size from {@code /proc/self/status} ({@code VmRSS}).
   *
   * @return MiB, or -1 where there is no {@code /proc}
   */
  public static double rssMiB() {
    return statusMiB(Path.of("/proc/self/status"), "VmRSS:");
  }

  /**
   * The peak resident memory of a process ({@code VmHWM} in {@code /proc/<pid>/status}), MiB.
   *
   * @param pid the process id
   * @return MiB, or -1 where unknown (not Linux, or the process is gone)
   */
  public static double peakRssMiB(long pid) {
    return statusMiB(Path.of("/proc", Long.toString(pid), "status"), "VmHWM:");
  }

  /** A {@code kB} line of a {@code /proc/<pid>/status} file, in MiB, or -1 when unreadable. */
  private static double statusMiB(Path status, String field) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process has exited
    }
    return -1;
  }

  /**
   * The report as a Markdown document: the machine, then one table per section that was run.
   *
   * @return Markdown
   */
  public String markdown() {
    StringBuilder md = new StringBuilder("# mini-gradient bench\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Machine: %d cores, %s; %s; %s; max heap %d MiB. Run took %.0f s.%n%n",
            machine.cores(),
            machine.cpu(),
            machine.jvm(),
            machine.os(),
            machine.maxHeapMiB(),
            wallSeconds));
    md.append("Settings: ").append(settings).append("\n\n");
    for (String section : SECTIONS) {
      if (figures.stream().noneMatch(f -> f.section().equals(section))) {
        continue; // not run (bench --only)
      }
      md.append("## ").append(section).append("\n\n");
      md.append("| figure | value | baseline | baseline value | ratio | goal | met |\n");
      md.append("|---|---:|---|---:|---:|---|---|\n");
      for (Figure f : figures) {
        if (f.section().equals(section)) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s %s | %s | %s %s | %s | %s | %s |%n",
                  f.name(),
                  number(f.value()),
                  f.unit(),
                  f.baseline(),
                  number(f.baselineValue()),
                  f.unit(),
                  Double.isNaN(f.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", f.ratio()),
                  f.goal() == null ? "-" : f.goal(),
                  f.met() == null ? "-" : f.met() ? "yes" : "**no**"));
        }
      }
      md.append('\n');
    }
    if (!notes.isEmpty()) {
      md.append("## notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    return md.toString();
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * Writes {@code bench.md} and {@code bench.json} into {@code dir}, creating it.
   *
   * @param dir the report folder
   * @return the two files
   * @throws IOException if they cannot be written
   */
  public List<Path> write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path md = dir.resolve("bench.md");
    Path json = dir.resolve("bench.json");
    Files.writeString(md, markdown(), StandardCharsets.UTF_8);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("machine", machine);
    doc.put("settings", settings);
    Map<String, List<Figure>> sections = new LinkedHashMap<>();
    SECTIONS.forEach(s -> sections.put(s, new ArrayList<>()));
    figures.forEach(f -> sections.get(f.section()).add(f));
    doc.put("sections", sections);
    doc.put("notes", notes);
    doc.put("wall_seconds", wallSeconds);
    JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), doc);
    return List.of(md, json);
  }
}
