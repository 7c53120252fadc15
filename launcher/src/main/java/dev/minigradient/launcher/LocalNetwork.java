package dev.minigradient.launcher;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The network on this machine with every component in its own process, each started through its
 * {@code bin/} wrapper: 1 or 3 Kafka nodes ({@code broker}), the consensus app, the API and N
 * peers. Everything lives under one folder:
 *
 * <pre>
 * cluster.id                  the Kafka cluster's id, made on the first run and kept
 * pids                        NAME PID of each running process (removed when stopped)
 * logs/NAME.log               each process's output, appended across restarts
 * brokers/broker-I/           a node's server.properties and data/ (kept across runs)
 * consensus/                  the consensus app's state/ and sealing key
 * api/state/                  the API's state
 * peers/peer-I/peer.key       a peer's signing key (its identity, kept across runs)
 * </pre>
 *
 * {@link #close} stops the clients (SIGTERM, SIGKILL after a grace period), then the brokers.
 */
public final class LocalNetwork implements AutoCloseable {
  /** How long a client process may take to stop before it is killed. */
  public static final Duration CLIENT_GRACE = Duration.ofSeconds(20);

  /** How long a Kafka node may take to stop before it is killed. */
  public static final Duration BROKER_GRACE = Duration.ofSeconds(30);

  private static final Pattern BROKER_READY = Pattern.compile("^broker \\d+ ready");
  private static final Pattern CONSENSUS_READY = Pattern.compile("^consensus-streams started");
  private static final Pattern API_READY =
      Pattern.compile("^metrics-api listening on http://[^:/]+:(\\d+)/");

  /**
   * What to run.
   *
   * @param dir the run folder
   * @param bin the folder of the {@code bin/} wrappers
   * @param cluster the Kafka nodes' layout
   * @param peers number of peers, 1..64: {@code peer-1..peer-N}
   * @param apiPort the API's port, 0 for any free one
   * @param models the network's models, as {@code --model} takes them
   * @param modelsDir the model registry
   * @param defaultModelId the API's model for a task that names none
   * @param partitions partitions per topic
   */
  public record Options(
      Path dir,
      Path bin,
      LocalCluster cluster,
      int peers,
      int apiPort,
      List<String> models,
      Path modelsDir,
      String defaultModelId,
      int partitions) {
    /** Validates the options. */
    public Options {
      dir = dir.toAbsolutePath().normalize();
      bin = bin.toAbsolutePath().normalize();
      modelsDir = modelsDir.toAbsolutePath().normalize();
      models = List.copyOf(models);
      checkPeers(peers);
      if (apiPort < 0 || apiPort > 65535) {
        throw new IllegalArgumentException("--port must be 0..65535, got " + apiPort);
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
      }
      if (models.isEmpty()) {
        throw new IllegalArgumentException("at least one --model");
      }
    }

    /**
     * Checks a number of peers.
     *
     * @param peers the number
     * @throws IllegalArgumentException if it is not 1..64
     */
    public static void checkPeers(int peers) {
      if (peers < 1 || peers > 64) {
        throw new IllegalArgumentException("--peers must be 1..64, got " + peers);
      }
    }
  }

  private final Options options;
  private final String clusterId;
  private final List<LocalProcess> brokers = new ArrayList<>();
  private final List<LocalProcess> clients = new ArrayList<>();
  private final List<String> peerIds = new ArrayList<>();
  private final KafkaSettings kafka;
  private volatile int apiPort;
  private boolean closed;

  /**
   * A network not started yet: reads or makes the cluster id, and refuses a folder whose network
   * still runs.
   *
   * @param options what to run
   * @throws IOException if the folder cannot be made or read
   * @throws IllegalStateException if processes listed in the folder's {@code pids} still run
   */
  public LocalNetwork(Options options) throws IOException {
    this.options = options;
    refuseIfRunning(options.dir());
    Files.createDirectories(options.dir().resolve("logs"));
    this.clusterId = clusterId(options.dir());
    this.kafka = new KafkaSettings(options.cluster().bootstrapServers(), Map.of());
    Path logs = options.dir().resolve("logs");
    Map<String, String> env = childEnvironment();
    LocalCluster cluster = options.cluster();
    for (int i = 1; i <= cluster.nodes(); i++) {
      brokers.add(
          new LocalProcess(
              "broker-" + i,
              List.of(
                  wrapper("broker"),
                  "--node-id",
                  Integer.toString(i),
                  "--brokers",
                  Integer.toString(cluster.nodes()),
                  "--kafka-port",
                  Integer.toString(cluster.firstPort()),
                  "--dir",
                  options.dir().resolve("brokers").resolve("broker-" + i).toString(),
                  "--cluster-id",
                  clusterId),
              logs,
              env));
    }
    String bootstrap = cluster.bootstrapServers();
    List<String> models =
        List.of(
            "--model",
            String.join(",", options.models()),
            "--models-dir",
            options.modelsDir().toString());
    List<String> consensus =
        new ArrayList<>(
            List.of(
                wrapper("consensus-streams"),
                "--bootstrap-servers",
                bootstrap,
                "--state-dir",
                options.dir().resolve("consensus").resolve("state").toString(),
                "--seal-key-file",
                options.dir().resolve("consensus").resolve("seal.key").toString(),
                // restarted after a kill, it takes its partitions back when it rejoins
                "--instance-id",
                "consensus-1",
                "--partitions",
                Integer.toString(options.partitions())));
    consensus.addAll(models);
    clients.add(new LocalProcess("consensus-streams", consensus, logs, env));
    List<String> api =
        new ArrayList<>(
            List.of(
                wrapper("metrics-api"),
                "--bootstrap-servers",
                bootstrap,
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(options.apiPort()),
                "--state-dir",
                options.dir().resolve("api").resolve("state").toString(),
                "--default-model-id",
                options.defaultModelId()));
    api.addAll(models);
    clients.add(new LocalProcess("metrics-api", api, logs, env));
    for (int i = 1; i <= options.peers(); i++) {
      String id = "peer-" + i;
      peerIds.add(id);
      List<String> peer =
          new ArrayList<>(
              List.of(
                  wrapper("inference-worker"),
                  "--bootstrap-servers",
                  bootstrap,
                  "--peer-id",
                  id,
                  "--instance-id",
                  id,
                  "--key-file",
                  options.dir().resolve("peers").resolve(id).resolve("peer.key").toString(),
                  "--partitions",
                  Integer.toString(options.partitions())));
      peer.addAll(models);
      clients.add(new LocalProcess(id, peer, logs, env));
    }
  }

  /**
   * Starts the Kafka nodes, creates the topics, starts the consensus app, the API and the peers,
   * and waits until the API answers and the committee roster in effect lists every peer.
   *
   * @param progress where to say what it is waiting for
   * @param timeout how long to wait for all of it
   * @throws IOException if a process cannot be started
   * @throws InterruptedException if interrupted
   * @throws IllegalStateException if a process exits or the network is not ready in time (the
   *     processes started are stopped)
   */
  public void start(PrintWriter progress, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      progress.printf(
          "starting %d Kafka node(s) at %s...%n",
          brokers.size(), options.cluster().bootstrapServers());
      progress.flush();
      for (LocalProcess b : brokers) {
        launch(b);
      }
      recordPids();
      for (LocalProcess b : brokers) {
        b.awaitLine(BROKER_READY, left(deadline));
      }
      TopicAdmin.ensureTopics(
          kafka, options.partitions(), Optional.empty(), Duration.ofSeconds(30));
      progress.printf("starting the consensus app, the API and %d peer(s)...%n", peerIds.size());
      progress.flush();
      for (LocalProcess c : clients) {
        launch(c);
      }
      recordPids();
      process("consensus-streams").awaitLine(CONSENSUS_READY, left(deadline));
      Matcher api = process("metrics-api").awaitLine(API_READY, left(deadline));
      apiPort = Integer.parseInt(api.group(1));
      for (String id : peerIds) {
        process(id).awaitLine(readyLine(id), left(deadline));
      }
      awaitApiReady(deadline);
      awaitRosterOfEveryPeer(deadline);
    } catch (IOException | InterruptedException | RuntimeException e) {
      boolean stopping;
      synchronized (this) {
        stopping = closed; // Ctrl-C while starting: the processes' exits are ours, not failures
      }
      close();
      if (stopping) {
        throw new IllegalStateException("stopped while starting", e);
      }
      throw e;
    }
  }

  private synchronized void launch(LocalProcess p) throws IOException {
    if (closed) {
      throw new IllegalStateException("stopped while starting");
    }
    p.start();
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /**
   * Starts a process of this network again (after {@link LocalProcess#kill} or {@link
   * LocalProcess#stop}), records the pids and waits for its ready line: a node's {@code broker I
   * ready}, {@code consensus-streams started}, the API's {@code listening}, a peer's {@code
   * serving}.
   *
   * @param name its name, as {@link #process} takes it
   * @param timeout how long it may take to be ready
   * @throws IOException if it cannot be started
   * @throws InterruptedException if interrupted
   * @throws IllegalStateException if it exits first or is not ready in time
   */
  public void restart(String name, Duration timeout) throws IOException, InterruptedException {
    LocalProcess p = process(name);
    launch(p);
    recordPids();
    p.awaitLine(readyLine(name), timeout);
  }

  /** The line a process prints once it serves. */
  private static Pattern readyLine(String name) {
    if (name.startsWith("broker-")) {
      return BROKER_READY;
    } else if (name.equals("consensus-streams")) {
      return CONSENSUS_READY;
    } else if (name.equals("metrics-api")) {
      return API_READY;
    }
    return Pattern.compile("^peer " + Pattern.quote(name) + " serving");
  }

  /** Waits until the API's views run and its feed has caught up ({@code /v2/health/ready}). */
  private void awaitApiReady(long deadline) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v2/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    while (true) {
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      checkRunning("the API to be ready", deadline);
      Thread.sleep(200); // polling a state
    }
  }

  /**
   * Waits until a committee roster that lists every peer is in effect: tasks submitted from then on
   * get committees drawn from all of them. Reads the rosters the consensus app publishes from now
   * on (one a second, an epoch ahead).
   */
  private void awaitRosterOfEveryPeer(long deadline) throws InterruptedException {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    var rosters = Topics.ROSTERS.valueSerde().deserializer();
    Set<String> wanted = new HashSet<>(peerIds);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.properties(config))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.ROSTERS.name(), left(deadline)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      long effective = Long.MAX_VALUE;
      while (System.currentTimeMillis() < effective) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Roster roster;
          try {
            roster = rosters.deserialize(r.topic(), r.value());
          } catch (RuntimeException e) {
            continue; // not ours to judge: the consensus app dead-letters it
          }
          Set<String> listed = new HashSet<>();
          roster.members().forEach(m -> listed.add(m.peerId()));
          if (listed.containsAll(wanted)) {
            effective = Math.min(effective, roster.effectiveFrom());
          }
        }
        checkRunning("a committee roster listing every peer", deadline);
      }
    }
  }

  /** Throws if a process has exited or the time is up. */
  private void checkRunning(String waitingFor, long deadline) {
    for (LocalProcess p : processes()) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            p.name() + " exited with " + p.exitCode().orElse(-1) + "; " + p.tail(5));
      }
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("timed out waiting for " + waitingFor);
    }
  }

  /**
   * Writes {@code pids}: one line {@code NAME PID} per running process. Called after every start;
   * whoever restarts a process calls it again.
   *
   * @throws IOException if the file cannot be written
   */
  public synchronized void recordPids() throws IOException {
    StringBuilder s = new StringBuilder();
    for (LocalProcess p : processes()) {
      if (p.isAlive()) {
        s.append(p.name()).append(' ').append(p.pid()).append('\n');
      }
    }
    Path tmp = options.dir().resolve("pids.tmp");
    Files.writeString(tmp, s.toString(), StandardCharsets.UTF_8);
    Files.move(
        tmp,
        options.dir().resolve("pids"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Every process, Kafka nodes first, then the consensus app, the API and the peers.
   *
   * @return the processes
   */
  public List<LocalProcess> processes() {
    List<LocalProcess> all = new ArrayList<>(brokers);
    all.addAll(clients);
    return all;
  }

  /**
   * A process by name: {@code broker-I}, {@code consensus-streams}, {@code metrics-api}, {@code
   * peer-I}.
   *
   * @param name its name
   * @return the process
   * @throws IllegalArgumentException if there is none of that name
   */
  public LocalProcess process(String name) {
    return processes().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no process " + name));
  }

  /**
   * The peers' ids.
   *
   * @return {@code peer-1..peer-N}
   */
  public List<String> peerIds() {
    return List.copyOf(peerIds);
  }

  /**
   * The Kafka cluster's client settings.
   *
   * @return plaintext on 127.0.0.1
   */
  public KafkaSettings kafka() {
    return kafka;
  }

  /**
   * The Kafka cluster's id, kept in the folder's {@code cluster.id}.
   *
   * @return the id
   */
  public String clusterId() {
    return clusterId;
  }

  /**
   * The port the API listens on, once started.
   *
   * @return the port
   */
  public int apiPort() {
    return apiPort;
  }

  /**
   * The run folder.
   *
   * @return its absolute path
   */
  public Path dir() {
    return options.dir();
  }

  /**
   * Stops the consensus app, the API and the peers together, then the Kafka nodes: each with
   * SIGTERM, and SIGKILL if it has not exited within its grace period; then removes {@code pids}.
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopAll(clients, CLIENT_GRACE);
    stopAll(brokers, BROKER_GRACE);
    try {
      Files.deleteIfExists(options.dir().resolve("pids"));
    } catch (IOException e) {
      // a stale file names no running process: the next start sees that
    }
  }

  private static void stopAll(List<LocalProcess> processes, Duration grace) {
    List<Thread> stoppers = new ArrayList<>();
    for (LocalProcess p : processes) {
      Thread t = new Thread(() -> p.stop(grace), "stop-" + p.name());
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        processes.forEach(LocalProcess::kill);
        return;
      }
    }
  }

  /**
   * Refuses a run folder whose network still runs.
   *
   * @param dir the run folder
   * @throws IllegalStateException naming the processes its {@code pids} lists that still run
   * @throws IOException if the file cannot be read
   */
  public static void refuseIfRunning(Path dir) throws IOException {
    List<String> running = stillRunning(dir);
    if (!running.isEmpty()) {
      throw new IllegalStateException(
          "a network from "
              + dir.toAbsolutePath().normalize()
              + " still runs ("
              + String.join(", ", running)
              + "): stop it first");
    }
  }

  /**
   * The processes a run folder's {@code pids} lists that still run the jar.
   *
   * @param dir the run folder
   * @return {@code NAME (pid PID)} of each
   * @throws IOException if the file cannot be read
   */
  static List<String> stillRunning(Path dir) throws IOException {
    Path pids = dir.resolve("pids");
    List<String> running = new ArrayList<>();
    if (!Files.exists(pids)) {
      return running;
    }
    for (String line : Files.readAllLines(pids)) {
      String[] f = line.strip().split("\\s+");
      if (f.length != 2 || !f[1].matches("\\d{1,18}")) {
        continue;
      }
      Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(f[1]));
      if (h.isPresent()
          && h.get().isAlive()
          && h.get().info().commandLine().orElse("").contains("mini-gradient")) {
        running.add(f[0] + " (pid " + f[1] + ")");
      }
    }
    return running;
  }

  /** The folder's cluster id, made and written on the first run. */
  private static String clusterId(Path dir) throws IOException {
    Path file = dir.resolve("cluster.id");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    String id = Uuid.randomUuid().toString();
    Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
    return id;
  }

  private String wrapper(String name) {
    return options.bin().resolve(name).toString();
  }

  /**
   * This process's environment for the children, less the Kafka client settings meant for another
   * cluster ({@code MG_KAFKA_*}): the local nodes are plaintext on 127.0.0.1.
   */
  private static Map<String, String> childEnvironment() {
    Map<String, String> env = new HashMap<>();
    System.getenv().keySet().stream()
        .filter(k -> k.startsWith("MG_KAFKA_"))
        .forEach(k -> env.put(k, null));
    return env;
  }
}
