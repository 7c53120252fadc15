package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.consensus.LedgerProcessor.LedgerValue;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger counts the first settlement of each (peer, task), in the app ({@link LedgerProcessor},
 * run at at_least_once) and in the audit ({@link LedgerReplay}).
 */
class LedgerIdempotenceTest {
  private static final String MODEL = "a".repeat(64);

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, Settlement> settlements;
  private TestOutputTopic<String, Reputation> reputation;
  private KeyValueStore<String, LedgerValue> store;
  private long now;

  @BeforeEach
  void startDriver() {
    ConsensusConfig config =
        new ConsensusConfig(
            "ledger-test",
            new KafkaSettings("localhost:9", Map.of()),
            stateDir,
            5_000,
            100,
            60_000,
            10,
            false,
            0.0,
            42L,
            1_000,
            ConsensusConfig.Committees.DEFAULTS);
    now = System.currentTimeMillis();
    driver =
        new TopologyTestDriver(
            ConsensusTopology.build(config),
            ConsensusTopology.streamsProperties(config),
            Instant.ofEpochMilli(now));
    settlements =
        driver.createInputTopic(
            Topics.SETTLEMENTS.name(),
            Serdes.String().serializer(),
            Topics.SETTLEMENTS.valueSerde().serializer());
    reputation =
        driver.createOutputTopic(
            Topics.REPUTATION.name(),
            Serdes.String().deserializer(),
            Topics.REPUTATION.valueSerde().deserializer());
    store = driver.getKeyValueStore(ConsensusTopology.REPUTATION_STORE);
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  private static Settlement settlement(String taskId, String peerId, Verdict verdict, long at) {
    return new Settlement(
        Settlement.SCHEMA_VERSION,
        taskId,
        new PeerVerdict(peerId, 1, verdict, null, 50, null, 0.5),
        at,
        100);
  }

  private Reputation stored(String peerId) {
    LedgerValue v = store.get(LedgerProcessor.reputationKey(peerId));
    return v == null ? null : v.reputation();
  }

  @Test
  void atLeastOnceForcesAnIdempotentProducer() {
    ConsensusConfig config =
        ConsensusConfig.defaults(
                new KafkaSettings(
                    "localhost:9", Map.of("acks", "1", "delivery.timeout.ms", "1000")),
                stateDir)
            .withTiming(5_000, 100, false);
    var props = ConsensusTopology.streamsProperties(config);
    assertThat(props.get("processing.guarantee")).isEqualTo("at_least_once");
    // the deduplication needs a changelog that holds a prefix of the writes: an idempotent producer
    assertThat(props.get("producer.enable.idempotence")).isEqualTo("true");
    assertThat(props.get("producer.acks")).isEqualTo("all");
    assertThat(props.get("producer.delivery.timeout.ms"))
        .isEqualTo(Integer.toString(Integer.MAX_VALUE));
  }

  @Test
  void aSettlementRedeliveredCountsOnceAndItsEntryIsPublishedOncePerInterval() {
    Settlement s = settlement("t1", "p1", Verdict.AGREED, now);
    // given a settlement processed, then read again (at-least-once re-processing after a failure)
    settlements.pipeInput("p1", s, now);
    settlements.pipeInput("p1", s, now);
    assertThat(reputation.isEmpty()).as("published at the interval, not per settlement").isTrue();
    // when the publication interval comes
    driver.advanceWallClockTime(Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS));
    // then it counted once, and the entry went out once
    List<Reputation> published = reputation.readValuesToList();
    assertThat(published).hasSize(1);
    assertThat(published.get(0).agreed()).isEqualTo(1);
    assertThat(published.get(0).rewards()).isEqualTo(0.5);
    assertThat(stored("p1")).isEqualTo(published.get(0));
    assertThat(store.get(LedgerProcessor.reputationKey("p1")).settled()).isEqualTo(1);
    // and an interval without settlements publishes nothing
    driver.advanceWallClockTime(Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS));
    assertThat(reputation.isEmpty()).isTrue();
  }

  @Test
  void aStartedLedgerPublishesEveryEntryAtItsFirstInterval() {
    // given a store holding p1's entry and a mark, as after a failure that may have come between
    // applying a settlement (committed) and publishing it
    var context = new MockProcessorContext<String, Reputation>();
    context.setCurrentSystemTimeMs(now);
    KeyValueStore<String, LedgerValue> kv =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ConsensusTopology.REPUTATION_STORE),
                Serdes.String(),
                LedgerValue.serde())
            .withLoggingDisabled()
            .build();
    kv.init(context.getStateStoreContext(), kv);
    context.addStateStore(kv);
    Reputation p1 = LedgerReplay.apply(null, "p1", settlement("t1", "p1", Verdict.AGREED, now));
    kv.put(LedgerProcessor.reputationKey("p1"), LedgerValue.entry(p1, 1));
    kv.put(LedgerProcessor.markKey("p1", "t1"), LedgerValue.mark(0, now));
    LedgerProcessor ledger = new LedgerProcessor();
    ledger.init(context);
    var publish =
        context.scheduledPunctuators().stream()
            .filter(p -> p.getInterval().toMillis() == LedgerProcessor.PUBLISH_INTERVAL_MS)
            .findFirst()
            .orElseThrow();

    // when its first publication interval comes
    publish.getPunctuator().punctuate(now);

    // then every entry is published (the marks are not)
    List<String> keys = new ArrayList<>();
    List<Reputation> values = new ArrayList<>();
    context
        .forwarded()
        .forEach(
            f -> {
              keys.add(f.record().key());
              values.add(f.record().value());
            });
    assertThat(keys).containsExactly("p1");
    assertThat(values).containsExactly(p1);
    // and the next interval, with nothing applied, publishes nothing
    context.resetForwards();
    publish.getPunctuator().punctuate(now + LedgerProcessor.PUBLISH_INTERVAL_MS);
    assertThat(context.forwarded()).isEmpty();
  }

  @Test
  void aSkippedSettlementWritesItsMarkAndEntryToTheChangelogAgain() {
    // a local store may hold writes its changelog lost (at-least-once keeps it after a crash):
    // writing both keys again on a skip brings them to the changelog
    var changelog =
        driver.createOutputTopic(
            "ledger-test-" + ConsensusTopology.REPUTATION_STORE + "-changelog",
            Serdes.String().deserializer(),
            LedgerValue.serde().deserializer());
    Settlement s = settlement("t1", "p1", Verdict.AGREED, now);
    settlements.pipeInput("p1", s, now);
    settlements.pipeInput("p1", s, now);
    var written = changelog.readKeyValuesToList();
    assertThat(written)
        .extracting(kv -> kv.key)
        .containsExactly(
            LedgerProcessor.markKey("p1", "t1"), LedgerProcessor.reputationKey("p1"),
            LedgerProcessor.markKey("p1", "t1"), LedgerProcessor.reputationKey("p1"));
    assertThat(written.get(2).value).isEqualTo(written.get(0).value);
    assertThat(written.get(3).value).isEqualTo(written.get(1).value);
    assertThat(written.get(0).value.settled()).isZero();
    assertThat(written.get(1).value.settled()).isEqualTo(1);
  }

  @Test
  void aSettlementReEmittedForTheSameTaskAndPeerCountsOnceWhateverItSays() {
    // given the consensus app re-deciding a task after a failure: a second settlement for t1 and
    // p1, settled later and judged otherwise, after another task's
    settlements.pipeInput("p1", settlement("t1", "p1", Verdict.AGREED, now), now);
    settlements.pipeInput("p1", settlement("t2", "p1", Verdict.DISAGREED, now + 10), now + 10);
    settlements.pipeInput("p1", settlement("t1", "p1", Verdict.LATE, now + 500), now + 500);
    // and the same task settled for another peer, which is not a repeat
    settlements.pipeInput("p2", settlement("t1", "p2", Verdict.AGREED, now), now);

    Reputation p1 = stored("p1");
    assertThat(p1.agreed()).isEqualTo(1);
    assertThat(p1.disagreed()).isEqualTo(1);
    assertThat(p1.late()).isZero();
    assertThat(p1.updatedAt()).isEqualTo(now + 10);
    assertThat(stored("p2").agreed()).isEqualTo(1);
    // and a replay of the same log comes to the same ledger, noting the repeat
    LedgerReplay replay = new LedgerReplay();
    replay.settlement("p1", settlement("t1", "p1", Verdict.AGREED, now));
    replay.settlement("p1", settlement("t2", "p1", Verdict.DISAGREED, now + 10));
    replay.settlement("p1", settlement("t1", "p1", Verdict.LATE, now + 500));
    replay.settlement("p2", settlement("t1", "p2", Verdict.AGREED, now));
    driver.advanceWallClockTime(Duration.ofMillis(LedgerProcessor.PUBLISH_INTERVAL_MS));
    reputation.readKeyValuesToList().forEach(kv -> replay.published(kv.key, kv.value));
    LedgerReplay.Findings f = replay.findings(now, 0);
    assertThat(f.ledger().get("p1")).isEqualTo(p1);
    assertThat(f.duplicateSettlements()).isEqualTo(1);
    assertThat(f.settlements()).isEqualTo(4);
    assertThat(f.problems()).doesNotContainKey("published ledger differs from the replay");
  }

  @Test
  void aMarkWhoseUpdateWasLostIsApplied() {
    // given p1 with one settlement applied, then a crash that kept the mark of t2 (count 1) in
    // the changelog but lost the entry written after it
    settlements.pipeInput("p1", settlement("t1", "p1", Verdict.AGREED, now), now);
    store.put(LedgerProcessor.markKey("p1", "t2"), LedgerValue.mark(1, now));
    // when t2's settlement is re-processed
    settlements.pipeInput("p1", settlement("t2", "p1", Verdict.AGREED, now + 1), now + 1);
    // then it is applied, once
    assertThat(stored("p1").agreed()).isEqualTo(2);
    assertThat(store.get(LedgerProcessor.reputationKey("p1")).settled()).isEqualTo(2);
    settlements.pipeInput("p1", settlement("t2", "p1", Verdict.AGREED, now + 1), now + 1);
    assertThat(stored("p1").agreed()).isEqualTo(2);
  }

  @Test
  void aMarkWithoutAnyEntryIsAPeersLostFirstUpdate() {
    // given a new peer's first mark (count 0) whose entry never reached the changelog
    store.put(LedgerProcessor.markKey("p9", "t1"), LedgerValue.mark(0, now));
    settlements.pipeInput("p9", settlement("t1", "p9", Verdict.AGREED, now), now);
    assertThat(stored("p9").agreed()).isEqualTo(1);
    assertThat(stored("p9").bond()).isEqualTo(100);
  }

  @Test
  void marksExpireAfterTheirRetentionAndEntriesStay() {
    settlements.pipeInput("p1", settlement("t1", "p1", Verdict.AGREED, now), now);
    String mark = LedgerProcessor.markKey("p1", "t1");
    assertThat(store.get(mark).settled()).isZero();
    assertExpiresAfterTheRetention(mark);
  }

  /**
   * The mark or bucket under {@code key}, written now, is swept after its retention, not before.
   */
  private void assertExpiresAfterTheRetention(String key) {
    assertThat(store.get(key).markedAt()).isEqualTo(now);
    // kept through most of the retention
    driver.advanceWallClockTime(
        Duration.ofMillis(LedgerProcessor.MARK_RETENTION_MS - LedgerProcessor.SWEEP_INTERVAL_MS));
    assertThat(store.get(key)).isNotNull();
    // deleted by the first sweep after it
    driver.advanceWallClockTime(Duration.ofMillis(2 * LedgerProcessor.SWEEP_INTERVAL_MS));
    assertThat(store.get(key)).isNull();
    assertThat(stored("p1").agreed()).as("the entry stays").isEqualTo(1);
  }

  @Test
  void aMarkWrittenBeforeARestartIsKeptAFullRetentionAfterIt() {
    long hour = LedgerProcessor.MARK_RETENTION_MS;
    // written long ago, processor started just now: kept for the retention after the start
    assertThat(LedgerProcessor.expired(now - 5 * hour, now, now + hour - 1)).isFalse();
    assertThat(LedgerProcessor.expired(now - 5 * hour, now, now + hour)).isTrue();
    // written after the start: the retention after writing
    assertThat(LedgerProcessor.expired(now + 10, now, now + hour + 9)).isFalse();
    assertThat(LedgerProcessor.expired(now + 10, now, now + hour + 10)).isTrue();
  }

  private static Settlement at(Settlement s, int partition, long offset) {
    return new Settlement(
        s.schemaVersion(),
        s.taskId(),
        s.verdict(),
        s.settledAt(),
        s.declaredStake(),
        partition,
        offset);
  }

  @Test
  void tasksCloseInOffsetFileTheirMarksInOneBucketAndEachCountsOnce() {
    Settlement t1 = at(settlement("t1", "p1", Verdict.AGREED, now), 2, 32);
    Settlement t2 = at(settlement("t2", "p1", Verdict.DISAGREED, now + 1), 2, 33);
    settlements.pipeInput("p1", t1, now);
    settlements.pipeInput("p1", t2, now + 1);
    settlements.pipeInput("p1", t1, now + 2); // redelivered
    settlements.pipeInput("p1", at(settlement("t1", "p1", Verdict.LATE, now + 3), 2, 32), now + 3);

    assertThat(stored("p1").agreed()).isEqualTo(1);
    assertThat(stored("p1").disagreed()).isEqualTo(1);
    assertThat(stored("p1").late()).isZero();
    String bucket = LedgerProcessor.bucketKey("p1", 2, 32);
    assertThat(LedgerProcessor.bucketKey("p1", 2, 33)).isEqualTo(bucket);
    assertThat(store.get(bucket).marks())
        .containsExactlyInAnyOrderEntriesOf(Map.of("t1", 0L, "t2", 1L));
    assertThat(store.get(LedgerProcessor.markKey("p1", "t1"))).as("no mark of its own").isNull();
  }

  @Test
  void aBucketedMarkWhoseUpdateWasLostIsApplied() {
    // given p1 with t1 applied, then a crash that kept t2's mark in its bucket but lost the entry
    settlements.pipeInput("p1", at(settlement("t1", "p1", Verdict.AGREED, now), 0, 5), now);
    String bucket = LedgerProcessor.bucketKey("p1", 0, 6);
    store.put(bucket, LedgerValue.bucket(store.get(bucket), "t2", 1, now));
    // when t2's settlement is re-processed, it is applied, once
    Settlement t2 = at(settlement("t2", "p1", Verdict.AGREED, now + 1), 0, 6);
    settlements.pipeInput("p1", t2, now + 1);
    assertThat(stored("p1").agreed()).isEqualTo(2);
    settlements.pipeInput("p1", t2, now + 1);
    assertThat(stored("p1").agreed()).isEqualTo(2);
  }

  @Test
  void bucketsOfMarksExpireAfterTheirRetention() {
    settlements.pipeInput("p1", at(settlement("t1", "p1", Verdict.AGREED, now), 1, 7), now);
    assertExpiresAfterTheRetention(LedgerProcessor.bucketKey("p1", 1, 7));
  }

  @Test
  void bucketKeysOfDifferentPeersPartitionsAndOffsetsNeverMeetAMarkKey() {
    assertThat(LedgerProcessor.bucketKey("p1", 0, 15))
        .isNotEqualTo(LedgerProcessor.bucketKey("p1", 0, 16))
        .isNotEqualTo(LedgerProcessor.bucketKey("p1", 1, 15))
        .isNotEqualTo(LedgerProcessor.bucketKey("p2", 0, 15))
        .startsWith(LedgerProcessor.BUCKET_PREFIX)
        .doesNotStartWith(LedgerProcessor.MARK_PREFIX);
    assertThat(LedgerProcessor.bucketKey("a|1", 2, 0))
        .isNotEqualTo(LedgerProcessor.bucketKey("a", 1, 2 * LedgerProcessor.MARK_BUCKET_TASKS));
  }

  @Test
  void markKeysOfDifferentPeersAndTasksNeverMeet() {
    assertThat(LedgerProcessor.markKey("a|b", "c"))
        .isNotEqualTo(LedgerProcessor.markKey("a", "b|c"));
    assertThat(LedgerProcessor.markKey("p1", "t1")).startsWith(LedgerProcessor.MARK_PREFIX);
    assertThat(LedgerProcessor.reputationKey("p1")).startsWith(LedgerProcessor.REPUTATION_PREFIX);
  }

  private static Consensus decision(String taskId, ConsensusStatus status, Integer label, long at) {
    return Consensus.builder()
        .taskId(taskId)
        .modelId(MODEL)
        .status(status)
        .label(label)
        .confidence(0.9)
        .agreeingWeight(3)
        .totalWeight(3)
        .submittedAt(at)
        .decidedAt(at)
        .build();
  }

  @Test
  void aReplayAcceptsRepeatedDecisionsThatAgreeAndFlagsOnesThatConflict() {
    LedgerReplay replay = new LedgerReplay();
    replay.task("same", now);
    replay.task("other", now);
    replay.consensus(decision("same", ConsensusStatus.DECIDED, 4, now));
    replay.consensus(
        decision("same", ConsensusStatus.DECIDED, 4, now + 700)); // re-emitted after a failure
    replay.consensus(decision("other", ConsensusStatus.DECIDED, 4, now));

    LedgerReplay.Findings ok = replay.findings(now, 0);
    assertThat(ok.problems()).isEmpty();
    assertThat(ok.duplicateConsensus()).isEqualTo(1);
    assertThat(ok.decisions()).containsExactly(Map.entry(ConsensusStatus.DECIDED, 2L));

    replay.consensus(decision("other", ConsensusStatus.DECIDED, 7, now + 700));
    replay.consensus(decision("same", ConsensusStatus.NO_QUORUM, null, now + 900));
    LedgerReplay.Findings bad = replay.findings(now, 0);
    assertThat(bad.problems()).containsEntry("task with conflicting consensus records", 2L);
    assertThat(bad.examples().get("task with conflicting consensus records"))
        .containsExactly("other DECIDED 4, then DECIDED 7", "same DECIDED 4, then NO_QUORUM null");
    assertThat(bad.decisions()).containsExactly(Map.entry(ConsensusStatus.DECIDED, 2L));
  }
}
