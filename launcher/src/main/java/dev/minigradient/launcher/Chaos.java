package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.LedgerReplay;
import dev.minigradient.consensus.Referee;
import dev.minigradient.consensus.ReplayCommand;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Result;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.worker.Behavior;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Drives tasks through a network on a 3-broker in-JVM Kafka cluster (replication 3, {@code
 * min.insync.replicas=2}) while faults strike, then audits the topics with {@link LedgerReplay}.
 * The faults, at fixed fractions of the tasks answered: a peer killed and restarted (three times,
 * three different peers), the consensus app killed and replaced by a fresh instance with an empty
 * state folder (it restores from the changelogs), and one broker stopped and started again. The
 * consensus app runs {@code exactly_once_v2} or {@code at_least_once}; at at-least-once it is
 * killed the worst way for it (its last changelog writes lost, its output not, see {@link
 * KillableClients}), so the next instance settles tasks again (and would decide them again but for
 * the decisions already published), which the ledger and the audit must count once.
 */
public final class Chaos {
  /**
   * At at-least-once, how long before it is killed the consensus app's changelog writes are lost
   * while its output still arrives and it commits nothing, ms: a few commit intervals of decisions
   * and settlements that the next instance re-makes.
   */
  static final long LOST_CHANGELOG_MS = 1_000;

  private Chaos() {}

  /**
   * What a run did.
   *
   * @param tasks tasks submitted
   * @param guarantee the consensus app's processing guarantee ({@code exactly_once_v2} or {@code
   *     at_least_once})
   * @param answered tasks whose consensus the requester received
   * @param faults the faults, in order, each with the answered count when it struck
   * @param findings the audit of the topics after the run
   * @param seconds wall time of the run, s
   */
  public record Outcome(
      int tasks,
      String guarantee,
      int answered,
      List<String> faults,
      LedgerReplay.Findings findings,
      double seconds) {}

  /**
   * Runs the chaos.
   *
   * @param model the model the peers serve
   * @param samples images, reused in turn until {@code tasks} are submitted
   * @param tasks number of tasks
   * @param peers number of honest peers (4 keeps a quorum while one is down)
   * @param exactlyOnce the consensus app runs exactly_once_v2 when true, at_least_once when false
   * @param log progress lines
   * @return the outcome, audited once the last deadline has passed
   * @throws IOException if the state folders cannot be made
   */
  public static Outcome run(
      ModelSpec model,
      List<Input> samples,
      int tasks,
      int peers,
      boolean exactlyOnce,
      Consumer<String> log)
      throws IOException {
    long t0 = System.currentTimeMillis();
    Path state = Files.createTempDirectory("mini-gradient-chaos");
    List<String> faults = Collections.synchronizedList(new ArrayList<>());
    ServedModel served = ServedModel.open(model, WorkerConfig.DEFAULT_MAX_PIXELS);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(3)) {
      KafkaSettings settings =
          new KafkaSettings(kafka.bootstrapServers(), Map.of()); // in-JVM brokers: plaintext
      TopicAdmin.ensureTopics(settings, 3, Optional.of((short) 3), Duration.ofSeconds(30));
      KeyPair sealing = KeyKind.SEALING.generate();
      ConsensusConfig config =
          ConsensusConfig.defaults(settings, state.resolve("consensus-0"))
              .withTiming(10_000, 100, exactlyOnce);
      // at at-least-once the first instance dies losing its last changelog writes but not its
      // output (KillableClients), the worst a crash can do to it
      KillableClients firstClients = new KillableClients();
      ConsensusService[] consensus = {
        new ConsensusService(config, Referee.of(List.of(served)), sealing, firstClients)
      };
      consensus[0].start();
      List<KeyPair> keys = new ArrayList<>();
      List<PeerWorker> workers = new ArrayList<>();
      for (int i = 0; i < peers; i++) {
        keys.add(KeyKind.SIGNING.generate());
        workers.add(startPeer(settings, i, served, keys.get(i)));
      }
      awaitRunning(consensus[0], workers);
      log.accept(
          "ready: 3 brokers, " + peers + " peers, consensus (" + guarantee(exactlyOnce) + ")");

      List<Input> inputs = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        inputs.add(samples.get(i % samples.size()));
      }
      AtomicInteger answered = new AtomicInteger();
      List<Runnable> plan =
          List.of(
              () -> restartPeer(settings, workers, 0, served, keys, faults, answered),
              () -> {
                if (exactlyOnce) {
                  faults.add(
                      "consensus app killed at "
                          + answered.get()
                          + ", replaced by a fresh instance");
                } else {
                  firstClients.loseChangelogs();
                  sleep(LOST_CHANGELOG_MS);
                  firstClients.kill();
                  faults.add(
                      "consensus app killed at "
                          + answered.get()
                          + " having lost its last "
                          + LOST_CHANGELOG_MS
                          + " ms of changelog writes but not its output, replaced by a fresh instance");
                }
                consensus[0].crash();
                consensus[0] =
                    new ConsensusService(
                        config.withStateDir(state.resolve("consensus-1")),
                        Referee.of(List.of(served)),
                        sealing);
                consensus[0].start();
              },
              () -> restartPeer(settings, workers, 1, served, keys, faults, answered),
              () -> {
                long t = System.currentTimeMillis();
                kafka.stopBroker(1);
                faults.add(
                    "broker 1 stopped at "
                        + answered.get()
                        + " (in "
                        + (System.currentTimeMillis() - t)
                        + " ms)");
                log.accept(faults.get(faults.size() - 1));
                sleep(5_000);
                kafka.startBroker(1);
                faults.add("broker 1 started again at " + answered.get());
              },
              () -> restartPeer(settings, workers, 2 % peers, served, keys, faults, answered));
      Thread monkey =
          new Thread(
              () -> {
                for (int k = 0; k < plan.size(); k++) {
                  int at = (k + 1) * tasks / (plan.size() + 2); // all strike well before the end
                  while (answered.get() < at) {
                    if (!sleep(100)) {
                      return;
                    }
                  }
                  plan.get(k).run();
                  log.accept(faults.get(faults.size() - 1));
                }
              },
              "chaos-monkey");
      monkey.setDaemon(true);
      List<Result> results;
      try (Submitter submitter = new Submitter(settings, "chaos", Duration.ofSeconds(10))) {
        monkey.start();
        results =
            submitter.submitAndAwait(
                inputs,
                served.modelId(),
                32,
                Duration.ofSeconds(120),
                r -> {
                  int n = answered.incrementAndGet();
                  if (n % 1000 == 0) {
                    log.accept(n + " answered");
                  }
                });
      }
      try {
        monkey.join(180_000); // every fault strikes, and the broker is back, before the audit
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int got = (int) results.stream().filter(r -> r.consensus() != null).count();
      LedgerReplay.Findings findings = audit(settings, config.decisionTimeoutMs());
      workers.forEach(PeerWorker::close);
      consensus[0].close();
      return new Outcome(
          tasks,
          guarantee(exactlyOnce),
          got,
          List.copyOf(faults),
          findings,
          (System.currentTimeMillis() - t0) / 1000.0);
    } finally {
      served.engine().close();
      EmbeddedKafka.deleteTree(state);
    }
  }

  /**
   * Audits the books once the run is over, as {@code replay} does: waits until every deadline has
   * passed and the last settlements are committed, then replays the topics, again every 2 s for up
   * to a minute while the published ledger trails the settlements (it does so by a commit).
   *
   * @param settings the cluster
   * @param decisionTimeoutMs the consensus app's decision deadline, ms
   * @return the last findings
   */
  public static LedgerReplay.Findings audit(KafkaSettings settings, long decisionTimeoutMs) {
    sleep(decisionTimeoutMs + 3_000);
    LedgerReplay.Findings findings = null;
    long auditDeadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < auditDeadline) {
      findings = ReplayCommand.replay(settings, Duration.ofSeconds(120), 0);
      if (findings.consistent()) {
        break;
      }
      sleep(2_000);
    }
    return findings;
  }

  private static String guarantee(boolean exactlyOnce) {
    return exactlyOnce ? "exactly_once_v2" : "at_least_once";
  }

  private static PeerWorker startPeer(
      KafkaSettings settings, int i, ServedModel served, KeyPair keys) {
    String id = "peer-" + (i + 1);
    // a static member id: the restarted instance takes its partitions back at once
    WorkerConfig config = WorkerConfig.defaults(id, settings).withInstanceId(id + "-instance");
    PeerWorker w = new PeerWorker(config, List.of(served), keys, Behavior.honest());
    w.start();
    return w;
  }

  private static void restartPeer(
      KafkaSettings settings,
      List<PeerWorker> workers,
      int i,
      ServedModel served,
      List<KeyPair> keys,
      List<String> faults,
      AtomicInteger answered) {
    faults.add(workers.get(i).peerId() + " killed at " + answered.get() + " and restarted");
    workers.get(i).crash();
    workers.get(i).close();
    sleep(1_000);
    workers.set(i, startPeer(settings, i, served, keys.get(i)));
  }

  private static void awaitRunning(ConsensusService consensus, List<PeerWorker> workers) {
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      if (consensus.state() == KafkaStreams.State.RUNNING
          && consensus.activePeers() >= workers.size()
          && workers.stream().allMatch(PeerWorker::isAssigned)) {
        return;
      }
      sleep(50);
    }
    throw new IllegalStateException("chaos network not ready: consensus " + consensus.state());
  }

  /** Sleeps; false if interrupted. */
  private static boolean sleep(long ms) {
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
