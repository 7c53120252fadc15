package dev.minigradient.launcher;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where CPU went between two moments: this process's by role (the consensus app's stream thread,
 * which decides every task in turn and so can use at most one core; the rest of the consensus app;
 * the peers; the broker with every other Java thread; and what no Java thread accounts for: garbage
 * collection, the JIT, native threads), its busiest single thread, and the whole machine's ({@code
 * /proc/stat}), which other processes share. Everything of the network runs in one JVM, so thread
 * names tell the roles apart.
 */
final class ThreadCpu {
  /** The role of the consensus app's stream thread. */
  static final String STREAM_THREAD = "consensus stream thread";

  /** The roles, in report order. */
  static final List<String> ROLES =
      List.of(
          STREAM_THREAD,
          "consensus app, other threads",
          "peers",
          "broker, requester and other Java threads",
          "GC, JIT and native threads");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long at;
  private final long process;
  private final Map<Long, Long> cpuByThread;
  private final Map<Long, String> names;

  /** {busy, total, cpus}: clock ticks of the machine since boot and its cpus, or null. */
  private final long[] machine;

  private ThreadCpu(
      long at, long process, Map<Long, Long> cpuByThread, Map<Long, String> names, long[] machine) {
    this.at = at;
    this.process = process;
    this.cpuByThread = cpuByThread;
    this.names = names;
    this.machine = machine;
  }

  /**
   * Cores busy between two readings.
   *
   * @param byRole cores of this process by role, in {@link #ROLES} order
   * @param process cores of this whole process
   * @param busiestThread the Java thread that used the most CPU
   * @param busiestThreadCores its cores (at most 1)
   * @param machine cores busy on the whole machine, NaN where unknown
   * @param cores the machine's cores ({@code /proc/stat}), else those available to this JVM
   */
  record Usage(
      Map<String, Double> byRole,
      double process,
      String busiestThread,
      double busiestThreadCores,
      double machine,
      int cores) {
    /**
     * One line for the report's notes.
     *
     * @return e.g. {@code this process 1.36 cores (consensus stream thread 0.33, ...); busiest
     *     thread ...}
     */
    String describe() {
      return String.format(
          Locale.ROOT,
          "this process %.2f cores (%s; busiest thread %s, %.2f), the machine %.2f of %d",
          process,
          byRole.entrySet().stream()
              .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
              .collect(Collectors.joining(", ")),
          busiestThread,
          busiestThreadCores,
          machine,
          cores);
    }

    /**
     * The stream thread's cores.
     *
     * @return cores
     */
    double streamThread() {
      return byRole.get(STREAM_THREAD);
    }
  }

  /**
   * Reads every live thread's CPU time, the process's and the machine's.
   *
   * @return the reading
   */
  static ThreadCpu now() {
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (t != null) {
        long ns = THREADS.isThreadCpuTimeEnabled() ? THREADS.getThreadCpuTime(t.getThreadId()) : -1;
        if (ns >= 0) {
          cpu.put(t.getThreadId(), ns);
          names.put(t.getThreadId(), t.getThreadName());
        }
      }
    }
    long process =
        ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    return new ThreadCpu(System.nanoTime(), process, cpu, names, machineTicks());
  }

  /**
   * CPU used since {@code before}, over the wall time between the two readings. A thread that
   * started in between counts from 0; one that ended is missed (its time falls to "GC, JIT and
   * native threads").
   *
   * @param before the earlier reading
   * @return the usage
   */
  Usage since(ThreadCpu before) {
    double wall = at - before.at;
    Map<String, Double> byRole = new LinkedHashMap<>();
    ROLES.forEach(r -> byRole.put(r, 0.0));
    double javaThreads = 0;
    double busiest = 0;
    String busiestName = "none";
    for (Map.Entry<Long, Long> e : cpuByThread.entrySet()) {
      double delta = e.getValue() - before.cpuByThread.getOrDefault(e.getKey(), 0L);
      if (delta > 0) {
        String name = names.get(e.getKey());
        byRole.merge(role(name), delta / wall, Double::sum);
        javaThreads += delta;
        if (delta > busiest) {
          busiest = delta;
          busiestName = name;
        }
      }
    }
    double processDelta = process - before.process;
    byRole.put("GC, JIT and native threads", Math.max(0, processDelta - javaThreads) / wall);
    boolean known = before.machine != null && machine != null && machine[1] > before.machine[1];
    int cores = known ? (int) machine[2] : Runtime.getRuntime().availableProcessors();
    double machineCores =
        known
            ? (machine[0] - before.machine[0]) / (double) (machine[1] - before.machine[1]) * cores
            : Double.NaN;
    return new Usage(byRole, processDelta / wall, busiestName, busiest / wall, machineCores, cores);
  }

  /** The role of a thread, by its name. */
  static String role(String name) {
    if (name.contains("mini-gradient-consensus")
        && name.contains("-StreamThread-")
        && !name.startsWith("kafka-producer-network-thread")) {
      return STREAM_THREAD;
    }
    if (name.contains("mini-gradient-consensus")) {
      return "consensus app, other threads";
    }
    if (name.contains("peer-")) {
      return "peers";
    }
    return "broker, requester and other Java threads";
  }

  /** {busy, total, cpus}: clock ticks over all cpus since boot from {@code /proc/stat}, or null. */
  private static long[] machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      long cpus = lines.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal; guest is counted in user
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
      return cpus > 0 ? new long[] {total - idle, total, cpus} : null;
    } catch (IOException | RuntimeException e) {
      return null; // not Linux
    }
  }
}
