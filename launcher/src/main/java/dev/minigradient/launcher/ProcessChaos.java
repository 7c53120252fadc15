package dev.minigradient.launcher;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.LedgerReplay;
import dev.minigradient.consensus.ReplayCommand;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Drives tasks through a {@link LocalNetwork} (every component its own OS process) while processes
 * are killed with SIGKILL and started again, then audits the topics as {@code replay} does ({@link
 * Chaos#audit}). The faults: a peer killed every few seconds, in turn, and started again (the next
 * one only once the last is back), the consensus app killed once (at 40% of the tasks answered) and
 * started again on the same state folder, and with 3 Kafka nodes, node 2 stopped and started again
 * (at 60%). A process that exits without being killed on purpose is a crash, reported apart.
 *
 * <p>Every window (a minute in a soak) it records each process's resident memory ({@code VmRSS}
 * from {@code /proc/PID/status}) and the decision latency of the tasks answered in it (p50, p99,
 * max).
 */
public final class ProcessChaos {
  /** How long a killed process may take to be ready again. */
  static final Duration RESTART_TIMEOUT = Duration.ofSeconds(180);

  private ProcessChaos() {}

  /**
   * What to do.
   *
   * @param tasks tasks to submit (the samples reused in turn)
   * @param peerKillEvery the pause between one peer back and the next one killed
   * @param killConsensus whether to kill the consensus app once
   * @param stopBroker whether to stop and start Kafka node 2 (with 3 nodes only)
   * @param window how often memory and latency are recorded (a minute in a soak)
   */
  public record Plan(
      int tasks,
      Duration peerKillEvery,
      boolean killConsensus,
      boolean stopBroker,
      Duration window) {
    /** Validates the plan. */
    public Plan {
      if (tasks < 1) {
        throw new IllegalArgumentException("--tasks must be >= 1, got " + tasks);
      }
      if (peerKillEvery.isNegative() || peerKillEvery.isZero()) {
        throw new IllegalArgumentException("the peer kill interval must be positive");
      }
      if (window.toMillis() < 1_000) {
        throw new IllegalArgumentException("the window must be at least 1 s");
      }
    }
  }

  /**
   * One window of the run.
   *
   * @param index 0, 1, ...
   * @param endSecond seconds since the tasks started at the window's end
   * @param answered tasks answered in the window
   * @param p50Ms median decision latency of those, ms (-1 if none)
   * @param p99Ms 99th percentile, ms (-1 if none)
   * @param maxMs the slowest of those, ms (-1 if none): the pause a fault caused
   * @param rssMib resident memory of each running process at the window's end, MiB
   */
  public record Window(
      int index,
      long endSecond,
      int answered,
      long p50Ms,
      long p99Ms,
      long maxMs,
      Map<String, Long> rssMib) {}

  /**
   * What a run did.
   *
   * @param tasks tasks submitted
   * @param answered tasks whose consensus the requester received
   * @param faults the deliberate faults, in order, each with the answered count when it struck
   * @param peerKills how many times a peer was killed
   * @param crashes processes that exited without being killed on purpose, or a killed one that did
   *     not come back
   * @param skipped planned faults the run ended before (a run too short for them)
   * @param windows memory and latency over time
   * @param findings the audit of the topics after the run
   * @param seconds wall time of the run, s
   */
  public record Outcome(
      int tasks,
      int answered,
      List<String> faults,
      int peerKills,
      List<String> crashes,
      List<String> skipped,
      List<Window> windows,
      LedgerReplay.Findings findings,
      double seconds) {
    /**
     * Whether the run passed: every task answered, every planned fault done, no crash, the books
     * consistent.
     *
     * @return true if so
     */
    @JsonProperty("passed")
    public boolean passed() {
      return answered == tasks
          && crashes.isEmpty()
          && skipped.isEmpty()
          && findings != null
          && findings.consistent();
    }
  }

  /**
   * Runs the chaos on a started network; the caller closes it.
   *
   * @param network the network, started
   * @param samples images, reused in turn until {@code plan.tasks()} are submitted
   * @param modelId the model of every task
   * @param plan what to do
   * @param log progress lines
   * @return the outcome, audited once the last deadline has passed
   */
  public static Outcome run(
      LocalNetwork network, List<Input> samples, String modelId, Plan plan, Consumer<String> log) {
    long t0 = System.currentTimeMillis();
    List<String> faults = Collections.synchronizedList(new ArrayList<>());
    List<String> crashes = Collections.synchronizedList(new ArrayList<>());
    for (LocalProcess p : network.processes()) {
      p.onUnexpectedExit(
          q -> {
            String c = q.name() + " exited with " + q.exitCode().orElse(-1) + "; " + q.tail(3);
            crashes.add(c);
            log.accept("crash: " + c);
          });
    }
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger peerKills = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<Window> windows = Collections.synchronizedList(new ArrayList<>());
    long start = System.currentTimeMillis();
    List<String> skipped = Collections.synchronizedList(new ArrayList<>());
    Thread monkey =
        new Thread(
            () -> killPeers(network, plan, answered, peerKills, done, faults, crashes, log),
            "process-chaos-peers");
    Thread milestones =
        new Thread(
            () -> milestones(network, plan, answered, done, faults, crashes, skipped, log),
            "process-chaos-milestones");
    Thread meter =
        new Thread(
            () -> {
              int i = 0;
              while (!done.get()) {
                if (!sleepUntil(start + (i + 1) * plan.window().toMillis(), done)) {
                  break;
                }
                windows.add(window(i++, start, network, latencies));
                Window w = windows.get(windows.size() - 1);
                log.accept(
                    String.format(
                        "%ds: %d answered (%d in the window, p50 %s ms, p99 %s ms, max %s ms),"
                            + " RSS MiB %s",
                        w.endSecond(),
                        answered.get(),
                        w.answered(),
                        ms(w.p50Ms()),
                        ms(w.p99Ms()),
                        ms(w.maxMs()),
                        w.rssMib()));
              }
            },
            "process-chaos-meter");
    monkey.setDaemon(true);
    milestones.setDaemon(true);
    meter.setDaemon(true);
    List<Input> inputs = new ArrayList<>(plan.tasks());
    for (int i = 0; i < plan.tasks(); i++) {
      inputs.add(samples.get(i % samples.size()));
    }
    List<Result> results;
    try (Submitter submitter =
        new Submitter(network.kafka(), "process-chaos", Duration.ofSeconds(10))) {
      monkey.start();
      milestones.start();
      meter.start();
      results =
          submitter.submitAndAwait(
              inputs,
              modelId,
              32,
              Duration.ofSeconds(180),
              r -> {
                if (r.latencyMs() >= 0) {
                  latencies.add(r.latencyMs());
                }
                int n = answered.incrementAndGet();
                if (n % 1000 == 0) {
                  log.accept(n + " answered");
                }
              });
    } finally {
      done.set(true);
    }
    // the last faults' processes are back
    join(monkey, RESTART_TIMEOUT.toMillis() + 60_000);
    join(milestones, RESTART_TIMEOUT.toMillis() + 60_000);
    join(meter, 5_000);
    if (!latencies.isEmpty()) { // the tasks answered since the last window
      windows.add(window(windows.size(), start, network, latencies));
    }
    int got = (int) results.stream().filter(r -> r.consensus() != null).count();
    log.accept(got + " of " + plan.tasks() + " answered; auditing the topics");
    LedgerReplay.Findings findings =
        Chaos.audit(network.kafka(), ConsensusConfig.DEFAULT_DECISION_TIMEOUT_MS);
    return new Outcome(
        plan.tasks(),
        got,
        List.copyOf(faults),
        peerKills.get(),
        List.copyOf(crashes),
        List.copyOf(skipped),
        List.copyOf(windows),
        findings,
        (System.currentTimeMillis() - t0) / 1000.0);
  }

  /**
   * Kills peers in turn until done: one down at a time, the next killed {@code
   * plan.peerKillEvery()} after the last is back.
   */
  private static void killPeers(
      LocalNetwork network,
      Plan plan,
      AtomicInteger answered,
      AtomicInteger peerKills,
      AtomicBoolean done,
      List<String> faults,
      List<String> crashes,
      Consumer<String> log) {
    List<String> peers = network.peerIds();
    int next = 0;
    try {
      while (sleepUntil(System.currentTimeMillis() + plan.peerKillEvery().toMillis(), done)) {
        String peer = peers.get(next++ % peers.size());
        network.process(peer).kill();
        peerKills.incrementAndGet();
        faults.add(peer + " killed (SIGKILL) at " + answered.get() + " answered, started again");
        network.restart(peer, RESTART_TIMEOUT);
      }
    } catch (IOException | RuntimeException e) {
      // a killed process that does not come back is a failure of the run
      fault(crashes, log, "the peer kills stopped: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills the consensus app once 40% of the tasks are answered and stops Kafka node 2 at 60%,
   * whatever the peer kills are doing; a milestone the run ends before is {@code skipped}.
   */
  private static void milestones(
      LocalNetwork network,
      Plan plan,
      AtomicInteger answered,
      AtomicBoolean done,
      List<String> faults,
      List<String> crashes,
      List<String> skipped,
      Consumer<String> log) {
    boolean stopBroker =
        plan.stopBroker()
            && network.processes().stream().anyMatch(p -> p.name().equals("broker-2"));
    try {
      if (plan.killConsensus()) {
        if (!awaitAnswered(answered, plan.tasks() * 2 / 5, done)) {
          skipped.add("consensus-streams kill (the run ended first)");
          return;
        }
        network.process("consensus-streams").kill();
        fault(faults, log, "consensus-streams killed (SIGKILL) at " + answered.get() + " answered");
        network.restart("consensus-streams", RESTART_TIMEOUT);
        fault(faults, log, "consensus-streams started again at " + answered.get() + " answered");
      }
      if (stopBroker) {
        if (!awaitAnswered(answered, plan.tasks() * 3 / 5, done)) {
          skipped.add("broker-2 stop (the run ended first)");
          return;
        }
        network.process("broker-2").stop(LocalNetwork.BROKER_GRACE);
        fault(faults, log, "broker-2 stopped at " + answered.get() + " answered");
        sleepUntil(System.currentTimeMillis() + 5_000, new AtomicBoolean());
        network.restart("broker-2", RESTART_TIMEOUT);
        fault(faults, log, "broker-2 started again at " + answered.get() + " answered");
      }
    } catch (IOException | RuntimeException e) {
      fault(crashes, log, "the fault injection stopped: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until {@code n} tasks are answered; false if the run is done first. */
  private static boolean awaitAnswered(AtomicInteger answered, int n, AtomicBoolean done) {
    while (answered.get() < n) {
      if (!sleepUntil(System.currentTimeMillis() + 100, done)) {
        return answered.get() >= n;
      }
    }
    return true;
  }

  private static void fault(List<String> faults, Consumer<String> log, String line) {
    faults.add(line);
    log.accept(line);
  }

  /** The window ending now: latencies since the last one, and every running process's RSS. */
  private static Window window(int index, long start, LocalNetwork network, List<Long> latencies) {
    List<Long> lat;
    synchronized (latencies) {
      lat = new ArrayList<>(latencies);
      latencies.clear();
    }
    Collections.sort(lat);
    Map<String, Long> rss = new LinkedHashMap<>();
    for (LocalProcess p : network.processes()) {
      if (p.isAlive()) {
        rssKib(p.pid()).ifPresent(kib -> rss.put(p.name(), kib / 1024));
      }
    }
    return new Window(
        index,
        (System.currentTimeMillis() - start) / 1000,
        lat.size(),
        percentile(lat, 0.50),
        percentile(lat, 0.99),
        lat.isEmpty() ? -1 : lat.get(lat.size() - 1),
        rss);
  }

  /**
   * A percentile of sorted values, nearest rank.
   *
   * @param sorted the values, ascending
   * @param q the quantile, 0..1
   * @return the value, or -1 if there are none
   */
  static long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /**
   * A process's resident memory, from {@code /proc/PID/status}.
   *
   * @param pid the process
   * @return its {@code VmRSS} in KiB, or empty if it cannot be read (gone, or no {@code /proc})
   */
  public static Optional<Long> rssKib(long pid) {
    try {
      return vmRss(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The {@code VmRSS} of a {@code /proc/PID/status} file.
   *
   * @param status its lines
   * @return the value in KiB, or empty if there is no such line
   */
  static Optional<Long> vmRss(List<String> status) {
    for (String line : status) {
      if (line.startsWith("VmRSS:")) {
        String[] f = line.substring(6).strip().split("\\s+");
        return Optional.of(Long.parseLong(f[0]));
      }
    }
    return Optional.empty();
  }

  /**
   * The outcome as a markdown report: the faults, the audit, and a table of each window's latency
   * and each process's resident memory.
   *
   * @param o the outcome
   * @return the report
   */
  public static String markdown(Outcome o) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "%s: %d tasks, %d answered, in %.0f s; %d peer kills; %d crashes%n%n",
            o.passed() ? "passed" : "FAILED",
            o.tasks(),
            o.answered(),
            o.seconds(),
            o.peerKills(),
            o.crashes().size()));
    Map<String, Integer> kills = new TreeMap<>();
    for (String f : o.faults()) {
      if (f.startsWith("peer-")) {
        kills.merge(f.substring(0, f.indexOf(' ')), 1, Integer::sum);
      } else {
        s.append("- ").append(f).append('\n');
      }
    }
    if (!kills.isEmpty()) {
      s.append("- peers killed (SIGKILL) and started again: ");
      s.append(
          String.join(
              ", ",
              kills.entrySet().stream()
                  .map(
                      e ->
                          e.getKey()
                              + " "
                              + e.getValue()
                              + (e.getValue() == 1 ? " time" : " times"))
                  .toList()));
      s.append('\n');
    }
    o.skipped().forEach(k -> s.append("- skipped: ").append(k).append('\n'));
    o.crashes().forEach(c -> s.append("- crash: ").append(c).append('\n'));
    s.append("\n```\n")
        .append(o.findings() == null ? "no audit\n" : ReplayCommand.text(o.findings()))
        .append("```\n\n");
    List<String> names = new ArrayList<>();
    TreeMap<String, Boolean> seen = new TreeMap<>();
    for (Window w : o.windows()) {
      for (String n : w.rssMib().keySet()) {
        if (seen.put(n, true) == null) {
          names.add(n);
        }
      }
    }
    s.append("| s | answered | p50 ms | p99 ms | max ms |");
    names.forEach(n -> s.append(' ').append(n).append(" MiB |"));
    s.append("\n|---|---|---|---|---|");
    names.forEach(n -> s.append("---|"));
    s.append('\n');
    for (Window w : o.windows()) {
      s.append(
          String.format(
              "| %d | %d | %s | %s | %s |",
              w.endSecond(), w.answered(), ms(w.p50Ms()), ms(w.p99Ms()), ms(w.maxMs())));
      for (String n : names) {
        Long v = w.rssMib().get(n);
        s.append(' ').append(v == null ? "-" : v.toString()).append(" |");
      }
      s.append('\n');
    }
    return s.toString();
  }

  /** A latency for the table: {@code -} for none. */
  private static String ms(long ms) {
    return ms < 0 ? "-" : Long.toString(ms);
  }

  private static void join(Thread t, long ms) {
    try {
      t.join(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps until a time, or until {@code done}; false if done or interrupted. */
  private static boolean sleepUntil(long at, AtomicBoolean done) {
    try {
      while (!done.get()) {
        long left = at - System.currentTimeMillis();
        if (left <= 0) {
          return true;
        }
        Thread.sleep(Math.min(left, 200));
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
