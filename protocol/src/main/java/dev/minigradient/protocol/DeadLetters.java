package dev.minigradient.protocol;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead-letter records, in Kafka Streams' own format (KIP-1034, {@code
 * errors.dead.letter.queue.topic.name}): the original key and value bytes unchanged, and the error
 * in headers. Every component writes this one format, so one reader understands them all.
 */
public final class DeadLetters {
  /** Header: class name of the exception (Kafka Streams' name). */
  public static final String EXCEPTION = "__streams.errors.exception";

  /** Header: the error message (Kafka Streams' name). */
  public static final String MESSAGE = "__streams.errors.message";

  /** Header: the source topic (Kafka Streams' name). */
  public static final String TOPIC = "__streams.errors.topic";

  /** Header: the source partition (Kafka Streams' name). */
  public static final String PARTITION = "__streams.errors.partition";

  /** Header: the source offset (Kafka Streams' name). */
  public static final String OFFSET = "__streams.errors.offset";

  /** Header: a short kebab-case reason, e.g. {@code not-an-image}. */
  public static final String REASON = "mg.errors.reason";

  /** Header: the component that gave up, e.g. {@code inference-worker/p1}. */
  public static final String COMPONENT = "mg.errors.component";

  private DeadLetters() {}

  /**
   * Builds the dead-letter record of a consumed record.
   *
   * @param source the record that could not be processed
   * @param component who gives up on it
   * @param reason short kebab-case reason
   * @param message human-readable error
   * @return a record for {@link Topics#DEAD_LETTERS} with the original key and value
   */
  public static ProducerRecord<String, byte[]> of(
      ConsumerRecord<String, byte[]> source, String component, String reason, String message) {
    return new ProducerRecord<>(
        Topics.DEAD_LETTERS.name(),
        null,
        source.key(),
        source.value(),
        headers(source.topic(), source.partition(), source.offset(), component, reason, message));
  }

  /**
   * The dead-letter headers of a record that could not be processed.
   *
   * @param topic its topic
   * @param partition its partition
   * @param offset its offset
   * @param component who gives up on it
   * @param reason short kebab-case reason
   * @param message human-readable error
   * @return the headers, in the format of Kafka Streams' dead-letter queue plus ours
   */
  public static Headers headers(
      String topic, int partition, long offset, String component, String reason, String message) {
    Headers h = new RecordHeaders();
    put(h, EXCEPTION, reason);
    put(h, MESSAGE, message);
    put(h, TOPIC, topic);
    put(h, PARTITION, Integer.toString(partition));
    put(h, OFFSET, Long.toString(offset));
    put(h, REASON, reason);
    put(h, COMPONENT, component);
    return h;
  }

  /**
   * Reads a header as UTF-8.
   *
   * @param headers the record's headers
   * @param name the header
   * @return its last value, or null
   */
  public static String header(Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers h, String name, String value) {
    h.add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }
}
