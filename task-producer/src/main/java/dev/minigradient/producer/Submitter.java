package dev.minigradient.producer;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A requester: publishes inputs as {@link Task}s and collects the network's {@link Consensus} for
 * each, reading {@link Topics#CONSENSUS} from its end (positioned before the first task is sent, so
 * no answer can be missed).
 */
public final class Submitter implements AutoCloseable {
  /**
   * The task producer's {@code linger.ms}: 0, so a task leaves at once. A requester waits for each
   * answer, and a linger would add its whole length to every submit-to-answer latency at light
   * load; under load the producer still batches the tasks that queue while a request is in flight.
   */
  public static final int LINGER_MS = 0;

  /** Largest input accepted, bytes: {@link Task#MAX_INPUT_BYTES}. */
  public static final long MAX_INPUT_BYTES = Task.MAX_INPUT_BYTES;

  private final KafkaSettings kafka;
  private final String requester;
  private final Integer redundancy;
  private final KafkaProducer<String, Task> producer;
  private final KafkaConsumer<String, Consensus> consumer;

  /**
   * Connects to the cluster and positions the answer reader at the end of the consensus topic; the
   * tasks ask for the network's default redundancy.
   *
   * @param kafka Kafka settings
   * @param requester requester id stamped on the tasks
   * @param connectTimeout how long to wait for the cluster to answer
   * @throws IllegalStateException if the cluster cannot be reached within {@code connectTimeout} or
   *     the consensus topic does not exist
   */
  public Submitter(KafkaSettings kafka, String requester, Duration connectTimeout) {
    this(kafka, requester, null, connectTimeout);
  }

  /**
   * Connects to the cluster and positions the answer reader at the end of the consensus topic.
   *
   * @param kafka Kafka settings
   * @param requester requester id stamped on the tasks
   * @param redundancy committee seats every task asks for: a positive integer, {@link
   *     Redundancy#ALL}, or null for the network's default
   * @param connectTimeout how long to wait for the cluster to answer
   * @throws IllegalArgumentException if {@code redundancy} is not a valid redundancy
   * @throws IllegalStateException if the cluster cannot be reached within {@code connectTimeout} or
   *     the consensus topic does not exist
   */
  public Submitter(
      KafkaSettings kafka, String requester, Integer redundancy, Duration connectTimeout) {
    if (redundancy != null) {
      Redundancy.check(redundancy);
    }
    this.kafka = kafka;
    this.requester = requester;
    this.redundancy = redundancy;
    List<TopicPartition> partitions = consensusPartitions(connectTimeout);
    this.producer =
        new KafkaProducer<>(
            kafka.properties(
                Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        "1048576", // a task of the largest input fits: see Task.MAX_INPUT_BYTES
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(connectTimeout.toMillis()))),
            new StringSerializer(),
            Topics.TASKS.valueSerde().serializer());
    this.consumer =
        new KafkaConsumer<>(
            kafka.properties(
                Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    // a committed transaction does not wake a waiting read_committed fetch, so
                    // a long fetch wait would add up to its length to every answer
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
            new StringDeserializer(),
            Topics.CONSENSUS.valueSerde().deserializer());
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    for (TopicPartition tp : partitions) {
      consumer.position(tp, connectTimeout); // resolve the lazy seek now, before any task is sent
    }
  }

  private List<TopicPartition> consensusPartitions(Duration timeout) {
    try (Admin admin = Admin.create(kafka.properties(TopicAdmin.adminTimeouts(timeout)))) {
      TopicDescription d =
          admin
              .describeTopics(List.of(Topics.CONSENSUS.name()))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(Topics.CONSENSUS.name());
      List<TopicPartition> out = new ArrayList<>();
      d.partitions().forEach(p -> out.add(new TopicPartition(d.name(), p.partition())));
      return out;
    } catch (TimeoutException e) {
      throw new IllegalStateException(TopicAdmin.describeFailure(kafka, timeout, e));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException(
            "topic "
                + Topics.CONSENSUS.name()
                + " does not exist at "
                + kafka.bootstrapServers()
                + ": start the network (consensus-streams creates the topics) first");
      }
      throw new IllegalStateException(TopicAdmin.describeFailure(kafka, timeout, e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Expands files and folders into inputs: a folder contributes its regular files (not
   * recursively), sorted by name; a file that cannot be read becomes an input with an error.
   *
   * @param paths files and folders
   * @return the inputs in order
   */
  public static List<Input> read(List<Path> paths) {
    List<Input> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .filter(f -> !f.getFileName().toString().endsWith(".csv"))
              .sorted()
              .forEach(f -> out.add(readOne(f)));
        } catch (IOException e) {
          out.add(new Input(p.toString(), p, null, null, "cannot list folder: " + e.getMessage()));
        }
      } else {
        out.add(readOne(p));
      }
    }
    return out;
  }

  private static Input readOne(Path f) {
    String name = f.getFileName() == null ? f.toString() : f.getFileName().toString();
    Integer label = Input.labelOf(name);
    try {
      if (!Files.exists(f)) {
        return new Input(name, f, null, label, "no such file: " + f);
      }
      long size = Files.size(f);
      if (size > MAX_INPUT_BYTES) {
        return new Input(
            name, f, null, label, "file too large: " + size + " bytes > " + MAX_INPUT_BYTES);
      }
      if (size == 0) {
        return new Input(name, f, null, label, "empty file");
      }
      return new Input(name, f, Files.readAllBytes(f), label, null);
    } catch (IOException e) {
      return new Input(name, f, null, label, "cannot read " + f + ": " + e.getMessage());
    }
  }

  /**
   * Submits every readable input as a task for {@code modelId} and waits for the answers, keeping
   * at most {@code maxInFlight} tasks unanswered at a time (flow control: a burst then queues here,
   * not at the peers, so no task waits past its decision deadline in a backlog).
   *
   * @param inputs the inputs
   * @param modelId the model to run (SHA-256 of its ONNX file)
   * @param maxInFlight most tasks submitted and not yet answered, >= 1
   * @param timeout how long to wait without any answer before giving up on the rest
   * @param onResult called once per input, in the order answers arrive
   * @return one result per input, in input order
   */
  public List<Result> submitAndAwait(
      List<Input> inputs,
      String modelId,
      int maxInFlight,
      Duration timeout,
      Consumer<Result> onResult) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1");
    }
    Map<String, Input> waiting = new LinkedHashMap<>();
    Map<String, String> sendFailures = new ConcurrentHashMap<>();
    Map<String, Long> sentAt = new HashMap<>();
    Map<Input, Result> results = new HashMap<>();
    Iterator<Input> next = inputs.iterator();
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while ((next.hasNext() || !waiting.isEmpty()) && System.currentTimeMillis() < deadline) {
      boolean sent = false;
      while (next.hasNext() && waiting.size() < maxInFlight) {
        Input in = next.next();
        if (in.error() != null) {
          Result r = new Result(in, null, null, -1, in.error());
          results.put(in, r);
          onResult.accept(r);
          continue;
        }
        String taskId = UUID.randomUUID().toString();
        Task task = task(taskId, modelId, in, requester, redundancy);
        sentAt.put(taskId, task.submittedAt());
        waiting.put(taskId, in);
        producer.send(
            new ProducerRecord<>(Topics.TASKS.name(), taskId, task),
            (md, e) -> {
              if (e != null) {
                sendFailures.put(taskId, "not submitted: " + e.getMessage());
              }
            });
        sent = true;
      }
      if (sent) {
        producer.flush();
      }
      for (String failed : List.copyOf(sendFailures.keySet())) {
        Input in = waiting.remove(failed);
        if (in != null) {
          Result r = new Result(in, failed, null, -1, sendFailures.remove(failed));
          results.put(in, r);
          onResult.accept(r);
        }
      }
      if (waiting.isEmpty()) {
        continue;
      }
      for (ConsumerRecord<String, Consensus> rec : consumer.poll(Duration.ofMillis(50))) {
        Input in = waiting.remove(rec.key());
        if (in == null || rec.value() == null) {
          continue; // another requester's task
        }
        Result r =
            new Result(
                in,
                rec.key(),
                rec.value(),
                System.currentTimeMillis() - sentAt.get(rec.key()),
                null);
        results.put(in, r);
        onResult.accept(r);
        deadline = System.currentTimeMillis() + timeout.toMillis();
      }
    }
    while (next.hasNext()) {
      Input in = next.next();
      Result r =
          new Result(
              in,
              null,
              null,
              -1,
              in.error() != null ? in.error() : "not submitted: the network stopped answering");
      results.put(in, r);
      onResult.accept(r);
    }
    for (Map.Entry<String, Input> e : waiting.entrySet()) {
      Result r =
          new Result(
              e.getValue(), e.getKey(), null, -1, "no answer within " + timeout.toSeconds() + " s");
      results.put(e.getValue(), r);
      onResult.accept(r);
    }
    List<Result> ordered = new ArrayList<>();
    for (Input in : inputs) {
      ordered.add(results.get(in));
    }
    return ordered;
  }

  /**
   * The task of one readable input.
   *
   * @param taskId the new task's id
   * @param modelId the model to run
   * @param in the input (its bytes and name)
   * @param requester the requester id
   * @param redundancy the seats asked for, {@link Redundancy#ALL}, or null for the default
   * @return the task, stamped now
   */
  static Task task(String taskId, String modelId, Input in, String requester, Integer redundancy) {
    return Task.of(taskId, modelId, in.bytes(), contentType(in.name()), requester, in.name())
        .withRedundancy(redundancy);
  }

  /**
   * The media type a task states for an input file, by its extension.
   *
   * @param name the file name
   * @return e.g. {@code image/png}; {@code application/json} for a tensor request (.json, or a .npy
   *     array converted to one); {@code application/octet-stream} when unknown
   */
  public static String contentType(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".png")) {
      return "image/png";
    } else if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
      return "image/jpeg";
    } else if (n.endsWith(".gif")) {
      return "image/gif";
    } else if (n.endsWith(".bmp")) {
      return "image/bmp";
    } else if (n.endsWith(".json") || n.endsWith(".npy")) {
      return InferenceRequest.MEDIA_TYPE; // a tensor task's input, .npy arrays converted
    }
    return "application/octet-stream";
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
  }
}
