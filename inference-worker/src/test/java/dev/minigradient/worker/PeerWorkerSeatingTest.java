package dev.minigradient.worker;

import static dev.minigradient.worker.MockPeer.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.minigradient.model.RuntimeDescription;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A peer on mock Kafka clients, fed task records by hand: it skips, undecoded, the tasks whose
 * committee seats other peers, answers the rest, and answers a skipped task it is appointed to.
 */
class PeerWorkerSeatingTest {
  private static final String RULE =
      "redundancy must be a positive integer (at most 1000) or \"all\"";
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final KeyPair seal = KeyKind.SEALING.generate();
  private final long now = System.currentTimeMillis();

  /** Three peers serving the model, in effect since five seconds ago. */
  private final Roster roster =
      new Roster(
          Roster.SCHEMA_VERSION,
          now - 5_000,
          "d".repeat(64),
          1,
          List.of(
              new Roster.Member("p-a", 1, List.of(MODEL)),
              new Roster.Member("p-b", 1, List.of(MODEL)),
              new Roster.Member("p-c", 1, List.of(MODEL))));

  /**
   * The committee of a one-seat task at {@code offset} of partition 0, appended now, as the
   * consensus app draws it: one peer (a task asking for one seat accepts one peer), so of the three
   * peers two are left unseated.
   */
  private Committee committeeAt(long offset) {
    Committee committee =
        Committee.draw(roster, MODEL, 1, Committee.seed(roster.beacon(), 0, offset, now));
    assertThat(committee.seatsByPeer()).hasSize(1);
    return committee;
  }

  /** The holder of the first seat of a task at {@code offset}. */
  private String seatAt(long offset) {
    return committeeAt(offset).seats().get(0);
  }

  /** The first roster peer without a seat on a task at {@code offset}. */
  private String unseatedAt(long offset) {
    Committee c = committeeAt(offset);
    return roster.members().stream()
        .map(Roster.Member::peerId)
        .filter(p -> !c.seats(p))
        .findFirst()
        .orElseThrow();
  }

  /** A task record's value, with the input and redundancy written as given (raw JSON). */
  private byte[] task(String taskId, String inputBase64, String redundancyJson) {
    return ("{\"schemaVersion\":1,\"taskId\":\""
            + taskId
            + "\",\"modelId\":\""
            + MODEL
            + "\",\"input\":\""
            + inputBase64
            + "\",\"contentType\":\"image/png\",\"submittedAt\":"
            + now
            + ",\"redundancy\":"
            + redundancyJson
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String notAnImage() {
    return Base64.getEncoder()
        .encodeToString("these bytes are no picture".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anUnseatedPeerSkipsATaskItCouldNotEvenReadWhileTheSeatedPeerDeadLettersIt() {
    // given a task for one seat whose input is not even base64
    long offset = 4;
    String seated = seatAt(offset);
    String unseated = unseatedAt(offset);
    byte[] bad = task("t-bad", "@@ not base64 @@", "1");

    try (MockPeer holder = new MockPeer(seated, Behavior.honest(), seal, List.of(roster)).start();
        MockPeer other = new MockPeer(unseated, Behavior.honest(), seal, List.of(roster)).start()) {
      // when both peers read it
      holder.deliver(offset, now, "t-bad", bad);
      other.deliver(offset, now, "t-bad", bad);

      // then the seated peer reads it in full and dead-letters it; the other skips it unread
      await().atMost(PATIENCE).until(() -> holder.deadLetters().size() == 1);
      assertThat(MockPeer.reason(holder.deadLetters().get(0))).isEqualTo("malformed-task");
      await().atMost(PATIENCE).until(() -> other.worker.tasksSkipped() == 1);
      assertThat(other.deadLetters()).isEmpty();
      assertThat(other.votes()).isEmpty();
      assertThat(holder.worker.tasksSkipped()).isZero();
    }
  }

  @Test
  void anUnseatedPeerNeverDecodesAnInputTheSeatedPeerRefusesWithAVoteNamingItsRuntime() {
    long offset = 9;
    String seated = seatAt(offset);
    String unseated = unseatedAt(offset);
    byte[] task = task("t-text", notAnImage(), "1");

    try (MockPeer holder = new MockPeer(seated, Behavior.honest(), seal, List.of(roster)).start();
        MockPeer other = new MockPeer(unseated, Behavior.honest(), seal, List.of(roster)).start()) {
      holder.deliver(offset, now, "t-text", task);
      other.deliver(offset, now, "t-text", task);

      await().atMost(PATIENCE).until(() -> holder.votes().size() == 1);
      Vote refusal = holder.votes().get(0);
      assertThat(refusal.label()).isEqualTo(Vote.REJECTED);
      assertThat(refusal.runtime())
          .isEqualTo(RuntimeDescription.current())
          .startsWith("onnxruntime ");
      assertThat(holder.deadLetters())
          .extracting(MockPeer::reason)
          .containsExactly(refusal.rejection());
      assertThat(holder.decoded).hasValue(1);

      await().atMost(PATIENCE).until(() -> other.worker.tasksSkipped() == 1);
      assertThat(other.decoded).hasValue(0);
      assertThat(other.votes()).isEmpty();
      assertThat(other.deadLetters()).isEmpty();
    }
  }

  @Test
  void aTaskAskingForAllIsAnsweredByAPeerTheRosterDoesNotName() {
    try (MockPeer newcomer =
        new MockPeer("p-new", Behavior.honest(), seal, List.of(roster)).start()) {
      newcomer.deliver(2, now, "t-all", task("t-all", notAnImage(), "\"all\""));
      newcomer.deliver(3, now, "t-one", task("t-one", notAnImage(), "1"));

      await().atMost(PATIENCE).until(() -> newcomer.worker.tasksSkipped() == 1);
      await().atMost(PATIENCE).until(() -> newcomer.votes().size() == 1);
      assertThat(newcomer.votes().get(0).taskId()).isEqualTo("t-all");
    }
  }

  @Test
  void aBadRedundancyIsDeadLetteredAsAMalformedTaskWithTheRuleWhoeverIsSeated() {
    try (MockPeer peer = new MockPeer("p-a", Behavior.honest(), seal, List.of(roster)).start()) {
      peer.deliver(0, now, "t-neg", task("t-neg", notAnImage(), "-2"));
      peer.deliver(1, now, "t-many", task("t-many", notAnImage(), "\"many\""));
      peer.deliver(2, now, "t-zero", task("t-zero", notAnImage(), "0"));

      await().atMost(PATIENCE).until(() -> peer.deadLetters().size() == 3);
      assertThat(peer.deadLetters()).extracting(MockPeer::reason).containsOnly("malformed-task");
      assertThat(peer.deadLetters())
          .extracting(MockPeer::message)
          .allSatisfy(m -> assertThat(m).contains(RULE));
      assertThat(peer.deadLetters())
          .extracting(r -> r.key())
          .containsExactly("t-neg", "t-many", "t-zero");
      assertThat(peer.votes()).isEmpty();
      assertThat(peer.decoded).hasValue(0);
    }
  }

  @Test
  void aCopycatCopiesOnlyTheTasksItIsSeatedOn() {
    // given a task the copycat holds no seat on, then one it holds the seat of
    long unseatedAt = 0;
    while (committeeAt(unseatedAt).seats("p-a")) {
      unseatedAt++;
    }
    long seatedAt = unseatedAt + 1;
    while (!committeeAt(seatedAt).seats("p-a")) {
      seatedAt++;
    }
    try (MockPeer copycat =
        new MockPeer("p-a", Behavior.of(Behavior.Kind.COPYCAT), seal, List.of(roster)).start()) {
      copycat.deliver(unseatedAt, now, "t-other", task("t-other", notAnImage(), "1"));
      copycat.deliver(seatedAt, now, "t-mine", task("t-mine", notAnImage(), "1"));
      await().atMost(PATIENCE).until(() -> copycat.worker.tasksSkipped() == 1);
      await().atMost(PATIENCE).until(() -> !copycat.copier.assignment().isEmpty());

      // when honest votes for both keep arriving, in task order
      long[] offset = {0};
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                for (String taskId : List.of("t-other", "t-mine")) {
                  Vote honest =
                      Vote.builder()
                          .taskId(taskId)
                          .peerId("p-honest")
                          .modelId(MODEL)
                          .inputSha256("e".repeat(64))
                          .label(3)
                          .probabilities(List.of(0.1, 0.9))
                          .inferenceMs(1.0)
                          .votedAt(now)
                          .build();
                  copycat.copier.addRecord(
                      TestConsumer.record(
                          MockPeer.VOTES,
                          offset[0]++,
                          now,
                          taskId,
                          Topics.VOTES
                              .valueSerde()
                              .serializer()
                              .serialize(Topics.VOTES.name(), honest)));
                }
                return !copycat.votes().isEmpty();
              });

      // then it copied the task it is seated on, and never the other
      assertThat(copycat.votes()).extracting(Vote::taskId).containsExactly("t-mine");
      assertThat(copycat.decoded).hasValue(0);
    }
  }

  /** A 28x28 PNG of a dark bar on white: an image the MNIST preprocessing accepts. */
  private static String digit() throws IOException {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 28, 28);
    g.setColor(Color.BLACK);
    g.fillRect(12, 4, 4, 20);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /** The consensus app's call of {@code peerId} to seat 0 of a task in partition 0. */
  private SeatReplacement replacement(
      String taskId, long offset, long appendTime, String replaced, String peerId) {
    return new SeatReplacement(
        SeatReplacement.SCHEMA_VERSION,
        taskId,
        MODEL,
        0,
        offset,
        appendTime,
        0,
        replaced,
        peerId,
        now);
  }

  private static byte[] json(SeatReplacement call) {
    return Topics.REPLACEMENTS
        .valueSerde()
        .serializer()
        .serialize(Topics.REPLACEMENTS.name(), call);
  }

  @Test
  void aPeerAppointedToASilentSeatReadsAndAnswersTheTaskItSkipped() throws IOException {
    // given a one-seat task at offset 6 whose committee leaves this peer out, so it skips it unread
    long offset = 6;
    String seated = seatAt(offset);
    String appointee = unseatedAt(offset);
    byte[] task = task("t-called", digit(), "1");
    try (MockPeer peer =
        new MockPeer(appointee, Behavior.honest(), seal, List.of(roster)).start()) {
      peer.deliver(offset, now, "t-called", task);
      await().atMost(PATIENCE).until(() -> peer.worker.tasksSkipped() == 1);
      assertThat(peer.decoded).hasValue(0);

      // when the consensus app appoints it in place of the silent seat (an appointment of
      // another peer and one of a stale task come first, and are ignored)
      peer.reader.updateBeginningOffsets(Map.of(MockPeer.TASKS, 0L));
      peer.reader.schedulePollTask(
          () ->
              peer.reader.addRecord(
                  TestConsumer.record(MockPeer.TASKS, offset, now, "t-called", task)));
      SeatReplacement other = replacement("t-called", offset, now, seated, seated);
      SeatReplacement stale = replacement("t-old", 1, now - 3_600_000, seated, appointee);
      SeatReplacement call = replacement("t-called", offset, now, seated, appointee);
      peer.network.addRecord(
          TestConsumer.record(MockPeer.REPLACEMENTS, 0, now, "t-called", json(other)));
      peer.network.addRecord(
          TestConsumer.record(MockPeer.REPLACEMENTS, 1, now, "t-old", json(stale)));
      peer.network.addRecord(
          TestConsumer.record(MockPeer.REPLACEMENTS, 2, now, "t-called", json(call)));

      // then it reads the record at that position and answers it as a seated peer does: decoded,
      // run, signed and sealed to the consensus app
      await().atMost(PATIENCE).until(() -> peer.votes().size() == 1);
      Vote vote = peer.votes().get(0);
      assertThat(vote.taskId()).isEqualTo("t-called");
      assertThat(vote.peerId()).isEqualTo(appointee);
      assertThat(vote.label()).isEqualTo(3);
      assertThat(peer.decoded).hasValue(1);
      assertThat(peer.worker.callsAnswered()).isEqualTo(1);
      assertThat(peer.reader.assignment()).containsExactly(MockPeer.TASKS);
      assertThat(peer.deadLetters()).isEmpty();
    }
  }
}
