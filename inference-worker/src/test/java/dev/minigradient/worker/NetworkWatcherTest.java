package dev.minigradient.worker;

import static dev.minigradient.worker.MockPeer.KEYS;
import static dev.minigradient.worker.MockPeer.ROSTERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkWatcherTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final long MAX_TASK_AGE_MS = 60_000;

  private final TestConsumer consumer = new TestConsumer("earliest");
  private final PeerState state = new PeerState();

  /** Reason and key of every record the watcher rejected. */
  private final List<String> rejected = new CopyOnWriteArrayList<>();

  /** The replacements handed to the peer. */
  private final List<SeatReplacement> called = new CopyOnWriteArrayList<>();

  private final NetworkWatcher watcher =
      new NetworkWatcher(
          TestPeers.context("p1", MAX_TASK_AGE_MS, state, consumer, null),
          (r, reason, message) -> rejected.add(reason + " " + r.key()),
          called::add);
  private Thread thread;

  NetworkWatcherTest() {
    state.running.set(true);
    consumer.topics(Topics.NETWORK_KEYS.name(), Topics.ROSTERS.name());
    consumer.updateBeginningOffsets(Map.of(KEYS, 0L, ROSTERS, 0L));
  }

  @AfterEach
  void stop() throws InterruptedException {
    state.running.set(false);
    if (thread != null) {
      thread.join(5_000);
    }
  }

  private void start() {
    thread = new Thread(watcher, "watcher");
    thread.start();
  }

  private static Roster roster(long from) {
    return new Roster(
        Roster.SCHEMA_VERSION,
        from,
        "f".repeat(64),
        3,
        List.of(new Roster.Member("p1", 1, List.of("m"))));
  }

  private static byte[] json(Roster r) {
    return Topics.ROSTERS.valueSerde().serializer().serialize(Topics.ROSTERS.name(), r);
  }

  /** Puts the consensus key at offset 0 and {@code rosters} from offset 0, on the first poll. */
  private void publish(Roster... rosters) {
    consumer.updateEndOffsets(Map.of(KEYS, 1L, ROSTERS, (long) rosters.length));
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(MockPeer.keyRecord(KeyKind.SEALING.generate().getPublic()));
          for (int i = 0; i < rosters.length; i++) {
            consumer.addRecord(MockPeer.rosterRecord(i, rosters[i]));
          }
        });
  }

  @Test
  void readsRostersFromALittleMoreThanTheOldestTaskAgoNotFromTheBeginning() {
    // given three rosters of which the broker says the last is recent enough
    long now = System.currentTimeMillis();
    publish(roster(now - 600_000), roster(now - 300_000), roster(now - 1_000));
    consumer.offsetsForTimes.put(ROSTERS, 2L);

    // when the watcher starts
    start();
    await().atMost(PATIENCE).until(watcher::ready);

    // then it asked for the records since the look-back and read only the recent roster
    long asked = consumer.timesAsked.get(0).get(ROSTERS);
    long lookBack =
        Math.max(NetworkWatcher.ROSTER_LOOKBACK_MS, MAX_TASK_AGE_MS)
            + NetworkWatcher.ROSTER_MARGIN_MS;
    assertThat(asked).isBetween(now - lookBack, System.currentTimeMillis() - lookBack);
    assertThat(watcher.rosters().at(now).effectiveFrom()).isEqualTo(now - 1_000);
    assertThat(watcher.rosters().at(now - 2_000)).isNull();
    assertThat(watcher.sealer()).isNotNull();
    assertThat(rejected).isEmpty();
  }

  @Test
  void withNoRecentRosterItReadsFromTheEndAndKeepsFollowing() {
    long now = System.currentTimeMillis();
    publish(roster(now - 600_000));
    // no offsetsForTimes answer: nothing that recent

    start();
    await().atMost(PATIENCE).until(watcher::ready);
    assertThat(watcher.rosters().newest()).isNull();

    // a roster published later is read
    consumer.addRecord(
        TestConsumer.record(ROSTERS, 1, now, roster(now + 1_000).key(), json(roster(now + 1_000))));
    await().atMost(PATIENCE).until(() -> watcher.rosters().newest() != null);
    assertThat(watcher.rosters().newest().effectiveFrom()).isEqualTo(now + 1_000);
  }

  @Test
  void isNotReadyUntilItHasReadTheRostersPublishedBeforeItStarted() {
    long now = System.currentTimeMillis();
    consumer.updateEndOffsets(Map.of(KEYS, 0L, ROSTERS, 1L));
    consumer.offsetsForTimes.put(ROSTERS, 0L);
    start();
    await().atMost(PATIENCE).until(() -> !consumer.assignment().isEmpty());
    assertThat(watcher.ready()).isFalse();
    assertThat(watcher.awaiting()).contains(Topics.NETWORK_KEYS.name());

    consumer.addRecord(MockPeer.keyRecord(KeyKind.SEALING.generate().getPublic()));
    await().atMost(PATIENCE).until(() -> watcher.sealer() != null);
    assertThat(watcher.ready()).isFalse();
    assertThat(watcher.awaiting()).contains(Topics.ROSTERS.name());

    consumer.addRecord(TestConsumer.record(ROSTERS, 0, now, roster(now).key(), json(roster(now))));
    await().atMost(PATIENCE).until(watcher::ready);
  }

  @Test
  void malformedRostersAndKeysAreDeadLetteredAndTheGoodOnesKept() {
    long now = System.currentTimeMillis();
    Roster good = roster(now);
    consumer.updateEndOffsets(Map.of(KEYS, 1L, ROSTERS, 4L));
    consumer.offsetsForTimes.put(ROSTERS, 0L);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(
              TestConsumer.record(KEYS, 0, 1, "consensus-seal", bytes("{\"name\":")));
          consumer.addRecord(TestConsumer.record(ROSTERS, 0, now, "garbage", bytes("not json")));
          consumer.addRecord(TestConsumer.record(ROSTERS, 1, now, Roster.key(now - 1), json(good)));
          consumer.addRecord(TestConsumer.record(ROSTERS, 2, now, "empty", null));
          consumer.addRecord(TestConsumer.record(ROSTERS, 3, now, good.key(), json(good)));
        });

    start();
    await().atMost(PATIENCE).until(() -> rejected.size() == 4);

    assertThat(rejected)
        .containsExactlyInAnyOrder(
            "malformed-key consensus-seal",
            "malformed-roster garbage",
            "malformed-roster " + Roster.key(now - 1),
            "malformed-roster empty");
    await().atMost(PATIENCE).until(() -> watcher.rosters().newest() != null);
    assertThat(watcher.rosters().newest()).isEqualTo(good);
    assertThat(watcher.sealer()).as("no valid key read").isNull();
  }

  @Test
  void followsReplacementsFromTheEndAndHandsOverOnlyThoseNamingThisPeer() {
    // given a replacement already on the topic before the watcher starts
    long now = System.currentTimeMillis();
    consumer.topics(Topics.REPLACEMENTS.name());
    consumer.updateBeginningOffsets(Map.of(MockPeer.REPLACEMENTS, 0L));
    consumer.updateEndOffsets(Map.of(MockPeer.REPLACEMENTS, 1L));
    publish(roster(now));
    consumer.offsetsForTimes.put(ROSTERS, 0L);
    consumer.schedulePollTask(
        () ->
            consumer.addRecord(
                TestConsumer.record(MockPeer.REPLACEMENTS, 0, now, "t0", json(call("t0", "p1")))));

    // when it starts and more replacements follow: one for another peer, a malformed one, one for
    // it
    start();
    await().atMost(PATIENCE).until(watcher::ready);
    consumer.addRecord(
        TestConsumer.record(MockPeer.REPLACEMENTS, 1, now, "t1", json(call("t1", "p2"))));
    consumer.addRecord(
        TestConsumer.record(MockPeer.REPLACEMENTS, 2, now, "t2", bytes("{\"taskId\":")));
    consumer.addRecord(
        TestConsumer.record(MockPeer.REPLACEMENTS, 3, now, "t3", json(call("t3", "p1"))));

    // then only the later one naming this peer is handed over, and the malformed one is
    // dead-lettered
    await().atMost(PATIENCE).until(() -> !called.isEmpty() && rejected.size() == 1);
    assertThat(called).extracting(SeatReplacement::taskId).containsExactly("t3");
    assertThat(rejected).containsExactly("malformed-replacement t2");
  }

  private static SeatReplacement call(String taskId, String peerId) {
    return new SeatReplacement(
        SeatReplacement.SCHEMA_VERSION, taskId, "m", 0, 5, 1_000, 0, "p9", peerId, 2_000);
  }

  private static byte[] json(SeatReplacement r) {
    return Topics.REPLACEMENTS.valueSerde().serializer().serialize(Topics.REPLACEMENTS.name(), r);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
