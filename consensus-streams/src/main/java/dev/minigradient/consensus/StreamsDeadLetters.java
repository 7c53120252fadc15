package dev.minigradient.consensus;

import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The consensus app's Kafka Streams error handlers: Kafka Streams' own log-and-continue handlers,
 * whose dead-letter records ({@code errors.dead.letter.queue.topic.name}) keep Streams' {@code
 * __streams.errors.*} headers and get the network's {@link DeadLetters#REASON} and {@link
 * DeadLetters#COMPONENT} too, so they read like every other component's dead letters.
 */
public final class StreamsDeadLetters {
  /** The component named in the consensus app's dead letters. */
  public static final String COMPONENT = "consensus-streams";

  /** The reason of a record whose processing threw (a bug, not a bad record). */
  public static final String PROCESSING_FAILED = "processing-failed";

  /** The reason of a record that does not deserialize, by the topic it was read from. */
  static final Map<String, String> MALFORMED =
      Map.of(
          Topics.TASKS.name(), "malformed-task",
          Topics.VOTES.name(), "malformed-vote",
          Topics.SETTLEMENTS.name(), "malformed-settlement");

  /** The reason of a record from another topic that does not deserialize. */
  static final String MALFORMED_RECORD = "malformed-record";

  private StreamsDeadLetters() {}

  /**
   * The reason of a record from {@code topic} that does not deserialize.
   *
   * @param topic the source topic, or null
   * @return e.g. {@code malformed-task}
   */
  public static String malformed(String topic) {
    return topic == null ? MALFORMED_RECORD : MALFORMED.getOrDefault(topic, MALFORMED_RECORD);
  }

  /**
   * Adds the reason and component to dead-letter records, replacing any the source record carried.
   *
   * @param records the records Kafka Streams built (may be empty)
   * @param reason the reason
   */
  static void label(List<ProducerRecord<byte[], byte[]>> records, String reason) {
    for (ProducerRecord<byte[], byte[]> r : records) {
      Headers h = r.headers();
      h.remove(DeadLetters.REASON);
      h.remove(DeadLetters.COMPONENT);
      h.add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
      h.add(DeadLetters.COMPONENT, COMPONENT.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Logs a record that does not deserialize and sends it to the dead-letter topic with the reason
   * {@code malformed-task}, {@code malformed-vote} or {@code malformed-settlement} ({@link
   * #malformed}); processing goes on.
   */
  public static final class Deserialization extends LogAndContinueExceptionHandler {
    /** Created by Kafka Streams from its configuration. */
    public Deserialization() {}

    @Override
    public Response handleError(
        ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
      Response response = super.handleError(context, record, exception);
      label(response.deadLetterQueueRecords(), malformed(record.topic()));
      return response;
    }
  }

  /**
   * Logs a record whose processing threw and sends it to the dead-letter topic with the reason
   * {@link #PROCESSING_FAILED}; processing goes on.
   */
  public static final class Processing extends LogAndContinueProcessingExceptionHandler {
    /** Created by Kafka Streams from its configuration. */
    public Processing() {}

    @Override
    public Response handleError(
        ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      Response response = super.handleError(context, record, exception);
      label(response.deadLetterQueueRecords(), PROCESSING_FAILED);
      return response;
    }
  }
}
