package dev.minigradient.worker;

import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.preprocess.InvalidInputException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer of the network: reads every task (its own consumer group, {@code peer-<id>}), decodes
 * and preprocesses the image, runs the model, and publishes a signed {@link Vote}; registers on
 * {@link Topics#PEERS} and keeps a heartbeat there.
 *
 * <p>Delivery is at-least-once: votes are flushed before the task offsets are committed, so a
 * crash may re-send a vote, which the consensus counts once per (task, peer). Input that cannot
 * be decoded gets a rejecting vote (label {@link Vote#REJECTED} with the reason) and a {@link
 * DeadLetters dead letter}; a record that is not a task at all gets only the dead letter.
 */
public final class PeerWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerWorker.class);

  private final WorkerConfig config;
  private final Map<String, ServedModel> models = new java.util.LinkedHashMap<>();
  private final KeyPair keys;
  private final java.util.function.UnaryOperator<Vote> signer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService heartbeat;
  private final AtomicBoolean running = new AtomicBoolean(false);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong votes = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicBoolean assigned = new AtomicBoolean(false);
  private Thread thread;

  /**
   * Creates an unstarted peer serving one digit model with MNIST preprocessing.
   *
   * @param config the peer's settings
   * @param engine the model runner (not closed by this worker)
   */
  public PeerWorker(WorkerConfig config, InferenceEngine engine) {
    this(
        config,
        List.of(
            new ServedModel(
                "mnist", engine, Preprocessing.named("mnist-digit", config.maxPixels()), List.of())));
  }

  /**
   * Creates an unstarted peer.
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served) {
    this(config, served, Signatures.generateKeyPair());
  }

  /**
   * Creates an unstarted peer that signs with a given key pair.
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @param keys the peer's Ed25519 key pair, the same for every instance of the peer id
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served, KeyPair keys) {
    if (served.isEmpty()) {
      throw new IllegalArgumentException("a peer serves at least one model");
    }
    this.config = config;
    served.forEach(m -> models.put(m.modelId(), m));
    this.keys = keys;
    this.signer = Signatures.signer(keys.getPrivate());
    this.consumer =
        new KafkaConsumer<>(
            config
                .kafka()
                .properties(
                    Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, Topics.PEER_GROUP_PREFIX + config.peerId(),
                        ConsumerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-tasks",
                        // a new peer answers tasks from now on: older ones are decided or stale
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100")),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(
            config
                .kafka()
                .properties(
                    Map.of(
                        ProducerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-votes",
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                        ProducerConfig.LINGER_MS_CONFIG, "2")),
            new StringSerializer(),
            new ByteArraySerializer());
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "peer-" + config.peerId() + "-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** Registers the peer and starts its poll loop and heartbeat on their own threads. */
  public void start() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    publishPeer(false);
    heartbeat.scheduleAtFixedRate(
        () -> publishPeer(false),
        config.heartbeatIntervalMs(),
        config.heartbeatIntervalMs(),
        TimeUnit.MILLISECONDS);
    thread = new Thread(this::run, "peer-" + config.peerId());
    thread.start();
    log.info("peer {} serving models {} started", config.peerId(), models.keySet());
  }

  /**
   * The peer's id.
   *
   * @return the id
   */
  public String peerId() {
    return config.peerId();
  }

  /**
   * Whether this instance has joined its consumer group and been given partitions of the tasks
   * topic (an instance beyond the partition count never is).
   *
   * @return true once partitions were assigned
   */
  public boolean isAssigned() {
    return assigned.get();
  }

  /**
   * Votes published so far (including rejecting votes).
   *
   * @return the count
   */
  public long votesPublished() {
    return votes.get();
  }

  /**
   * Dead letters published so far.
   *
   * @return the count
   */
  public long deadLettersPublished() {
    return deadLetters.get();
  }

  private void run() {
    try {
      consumer.subscribe(
          List.of(Topics.TASKS.name()),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              // resolve where reading starts now, so a task sent once we report "assigned" is
              // never skipped by a later "latest" reset
              partitions.forEach(consumer::position);
              assigned.set(true);
            }
          });
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
          handle(record, sends);
        }
        producer.flush();
        for (Future<RecordMetadata> f : sends) {
          f.get(); // surface a failed send before committing the offsets that produced it
        }
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (Exception e) {
      log.error("peer {} stopped on an unexpected error", config.peerId(), e);
    } finally {
      // a peer that no longer votes must not stay eligible: stop beating and say so
      heartbeat.shutdownNow();
      if (running.getAndSet(false)) {
        publishPeer(true);
      }
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record, List<Future<RecordMetadata>> sends) {
    Task task;
    try {
      task = Topics.TASKS.valueSerde().deserializer().deserialize(record.topic(), record.value());
      if (task == null) {
        throw new SerializationException("empty task record");
      }
    } catch (SerializationException e) {
      sends.add(deadLetter(record, "malformed-task", e.getMessage()));
      return;
    }
    ServedModel model = models.get(task.modelId());
    if (model == null) {
      log.debug("peer {} skips task {}: model {} not served", config.peerId(), task.taskId(), task.modelId());
      return;
    }
    if (System.currentTimeMillis() - record.timestamp() > config.maxTaskAgeMs()) {
      log.debug("peer {} skips stale task {}", config.peerId(), task.taskId());
      return;
    }
    long start = System.nanoTime();
    Vote vote;
    try {
      float[] tensor = model.preprocessing().apply(task.input());
      double[] p = model.engine().probabilities(tensor);
      List<Double> probabilities = new ArrayList<>(p.length);
      for (double v : p) {
        probabilities.add(v);
      }
      vote = newVote(task, model, InferenceEngine.argmax(p), null, probabilities, start);
    } catch (InvalidInputException e) {
      sends.add(deadLetter(record, e.reason(), e.getMessage()));
      vote = newVote(task, model, Vote.REJECTED, e.reason(), List.of(), start);
    }
    Vote signed = signer.apply(vote);
    sends.add(
        producer.send(
            new ProducerRecord<>(
                Topics.VOTES.name(),
                task.taskId(),
                Topics.VOTES.valueSerde().serializer().serialize(Topics.VOTES.name(), signed))));
    votes.incrementAndGet();
  }

  private Vote newVote(
      Task task, ServedModel model, int label, String rejection, List<Double> probabilities, long startNanos) {
    return new Vote(
        Vote.SCHEMA_VERSION,
        task.taskId(),
        config.peerId(),
        model.modelId(),
        dev.minigradient.protocol.Hashes.sha256Hex(task.input()),
        label,
        rejection,
        probabilities,
        (System.nanoTime() - startNanos) / 1e6,
        System.currentTimeMillis(),
        null);
  }

  private Future<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, String reason, String error) {
    log.warn(
        "peer {}: {} at {}-{}@{}: {}",
        config.peerId(), reason, record.topic(), record.partition(), record.offset(), error);
    deadLetters.incrementAndGet();
    return producer.send(DeadLetters.of(record, "inference-worker/" + config.peerId(), reason, error));
  }

  private void publishPeer(boolean leaving) {
    Peer peer =
        new Peer(
            Peer.SCHEMA_VERSION,
            config.peerId(),
            Signatures.encodePublicKey(keys.getPublic()),
            config.stake(),
            List.copyOf(models.keySet()),
            Runtime.getRuntime().availableProcessors() + " cpu, " + System.getProperty("os.arch"),
            System.currentTimeMillis(),
            config.heartbeatIntervalMs(),
            leaving);
    producer.send(
        new ProducerRecord<>(
            Topics.PEERS.name(),
            config.peerId(),
            Topics.PEERS.valueSerde().serializer().serialize(Topics.PEERS.name(), peer)),
        (md, e) -> {
          if (e != null) {
            log.warn("peer {}: heartbeat failed: {}", config.peerId(), e.toString());
          }
        });
  }

  /**
   * Stops polling, announces that the peer leaves, and closes its clients.
   */
  @Override
  public void close() {
    boolean wasRunning = running.getAndSet(false);
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread != null) {
      consumer.wakeup();
      try {
        stopped.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      consumer.close(Duration.ZERO);
    }
    if (wasRunning) {
      publishPeer(true);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
