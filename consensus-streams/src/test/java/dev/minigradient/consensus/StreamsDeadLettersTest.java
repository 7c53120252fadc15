package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The consensus app's Kafka Streams dead letters carry the network's reason and component besides
 * Kafka Streams' own headers.
 */
class StreamsDeadLettersTest extends AbstractTopologyTest {

  private TestInputTopic<String, byte[]> raw(String topic) {
    return driver.createInputTopic(
        topic, Serdes.String().serializer(), Serdes.ByteArray().serializer());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void malformedTasksVotesAndSettlementsAreDeadLetteredWithTheirReasonAndComponent() {
    startWithPeers("dlq", "p1", "p2", "p3");
    // given records that are not what their topics hold
    raw(Topics.TASKS.name()).pipeInput("bad-task", utf8("not json"));
    raw(Topics.VOTES.name()).pipeInput("bad-vote", utf8("{\"label\":[1]}"));
    raw(Topics.SETTLEMENTS.name()).pipeInput("p1", utf8("[1,2,3]"));

    // then each is a dead letter, as received, with Kafka Streams' headers and ours
    var records = deadLetters().readRecordsToList();
    assertThat(records)
        .extracting(
            r ->
                r.key()
                    + " "
                    + DeadLetters.header(r.headers(), DeadLetters.REASON)
                    + " "
                    + DeadLetters.header(r.headers(), DeadLetters.COMPONENT)
                    + " "
                    + DeadLetters.header(r.headers(), DeadLetters.TOPIC))
        .containsExactly(
            "bad-task malformed-task consensus-streams " + Topics.TASKS.name(),
            "bad-vote malformed-vote consensus-streams " + Topics.VOTES.name(),
            "p1 malformed-settlement consensus-streams " + Topics.SETTLEMENTS.name());
    TestRecord<String, byte[]> task = records.get(0);
    assertThat(new String(task.value(), StandardCharsets.UTF_8)).isEqualTo("not json");
    assertThat(DeadLetters.header(task.headers(), DeadLetters.EXCEPTION))
        .isEqualTo(SerializationException.class.getName());
    assertThat(DeadLetters.header(task.headers(), DeadLetters.MESSAGE))
        .contains("not a valid Task");
    assertThat(DeadLetters.header(task.headers(), DeadLetters.OFFSET)).isEqualTo("0");
    assertThat(task.headers().lastHeader("__streams.errors.stacktrace")).isNotNull();
    // each named once: no second reason or component
    assertThat(task.headers().headers(DeadLetters.REASON)).hasSize(1);
    assertThat(task.headers().headers(DeadLetters.COMPONENT)).hasSize(1);
  }

  @Test
  void aSourceRecordsOwnReasonHeaderIsReplacedNotKept() {
    startWithPeers("dlq-headers", "p1", "p2", "p3");
    // given a malformed task that carries dead-letter headers of its own (e.g. a dead letter
    // written back to the tasks topic)
    Headers own = new RecordHeaders();
    own.add(DeadLetters.REASON, utf8("not-an-image"));
    own.add(DeadLetters.COMPONENT, utf8("inference-worker/p9"));
    raw(Topics.TASKS.name()).pipeInput(new TestRecord<>("echo", utf8("[]"), own, now));

    // then its dead letter names this app's reason and component, once each
    Headers h = deadLetters().readRecord().headers();
    assertThat(h.headers(DeadLetters.REASON))
        .singleElement()
        .extracting(x -> new String(x.value(), StandardCharsets.UTF_8))
        .isEqualTo("malformed-task");
    assertThat(h.headers(DeadLetters.COMPONENT))
        .singleElement()
        .extracting(x -> new String(x.value(), StandardCharsets.UTF_8))
        .isEqualTo("consensus-streams");
  }

  @Test
  void aMalformedRegistryOrLedgerRecordIsSkippedByTheGlobalTablesAndStopsNothing() {
    startWithPeers("dlq-global", "p1", "p2", "p3");
    // given a malformed registry record and a malformed ledger entry
    raw(Topics.PEERS.name()).pipeInput("bad-peer", utf8("[1,2,3]"));
    raw(Topics.REPUTATION.name()).pipeInput("p1", utf8("not cbor"));

    // then the global tables skip them (GlobalTableDeadLetters dead-letters them on its own path)
    assertThat(deadLetters().isEmpty()).isTrue();
    // and tasks are still decided by the registered peers
    var t = submit("still-decided");
    for (String p : new String[] {"p1", "p2", "p3"}) {
      votes.pipeInput(t.taskId(), signedVote(t, p, 4, probabilities(4, 0.9)));
    }
    assertThat(readDecided().label()).isEqualTo(4);
  }

  @Test
  void aRecordFromAnUnlistedTopicIsMalformedRecord() {
    assertThat(StreamsDeadLetters.malformed("network.somewhere")).isEqualTo("malformed-record");
    assertThat(StreamsDeadLetters.malformed(null)).isEqualTo("malformed-record");
    assertThat(StreamsDeadLetters.malformed(Topics.VOTES.name())).isEqualTo("malformed-vote");
  }

  @Test
  void aRecordWhoseProcessingThrowsIsDeadLetteredAsProcessingFailed() {
    // given the processing handler, configured with the dead-letter topic as the app configures it
    var handler = new StreamsDeadLetters.Processing();
    handler.configure(
        Map.of(
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name()));

    // when a record's processing throws
    ProcessingExceptionHandler.Response response =
        handler.handleError(
            context(Topics.VOTES.name(), utf8("k"), utf8("v")),
            new Record<>("k", "v", 0L),
            new IllegalStateException("boom"));

    // then processing goes on and the record is a dead letter with the reason and component
    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON))
        .isEqualTo(StreamsDeadLetters.PROCESSING_FAILED);
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.COMPONENT))
        .isEqualTo("consensus-streams");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.MESSAGE)).isEqualTo("boom");
  }

  @Test
  void withoutADeadLetterTopicTheDeserializationHandlerOnlySkips() {
    // given the deserialization handler with no dead-letter topic configured
    var handler = new StreamsDeadLetters.Deserialization();
    handler.configure(Map.of());

    // when a record does not deserialize
    var response =
        handler.handleError(
            context(Topics.TASKS.name(), utf8("k"), utf8("x")),
            new ConsumerRecord<>(Topics.TASKS.name(), 0, 7L, utf8("k"), utf8("x")),
            new SerializationException("bad"));

    // then it is skipped, with nothing to label
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  private static ErrorHandlerContext context(String topic, byte[] key, byte[] value) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return 0;
      }

      @Override
      public long offset() {
        return 7L;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "consensus-processor";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 0);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return key;
      }

      @Override
      public byte[] sourceRawValue() {
        return value;
      }
    };
  }
}
