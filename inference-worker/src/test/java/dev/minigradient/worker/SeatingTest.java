package dev.minigradient.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Rosters;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TaskPeek;
import dev.minigradient.protocol.Topics;
import dev.minigradient.worker.Seating.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeatingTest {
  private static final String MODEL = "a".repeat(64);
  private static final String OTHER_MODEL = "b".repeat(64);
  private static final List<String> PEERS = List.of("p1", "p2", "p3", "p4", "p5");
  private static final Roster FIRST = roster(1_000, "1".repeat(64));
  private static final Roster SECOND = roster(2_000, "2".repeat(64));

  private final Rosters rosters = new Rosters();

  SeatingTest() {
    rosters.add(FIRST);
    rosters.add(SECOND);
  }

  /** Five members serving {@link #MODEL} with unequal weights, two seats by default. */
  private static Roster roster(long from, String beacon) {
    List<Roster.Member> members =
        PEERS.stream()
            .map(p -> new Roster.Member(p, 1 + p.charAt(1) - '0', List.of(MODEL)))
            .toList();
    return new Roster(Roster.SCHEMA_VERSION, from, beacon, 2, members);
  }

  private Decision decide(String peer, Integer redundancy, long offset, long appendTime) {
    return new Seating(rosters, peer, Set.of(MODEL))
        .decide(new TaskPeek("t", MODEL, redundancy), 0, offset, appendTime);
  }

  private static Committee drawn(
      Roster roster, Integer redundancy, int partition, long offset, long appendTime) {
    return Committee.draw(
        roster, MODEL, redundancy, Committee.seed(roster.beacon(), partition, offset, appendTime));
  }

  @Test
  void aSeatedPeerServesAndTheOthersSkip() {
    // given the committee the consensus app draws for a task asking for one seat: one peer
    Committee committee = drawn(FIRST, 1, 0, 7, 1_500);
    assertThat(committee.seatsByPeer()).hasSize(1);

    // then the seated peers serve it and every other member skips it
    committee
        .seatsByPeer()
        .keySet()
        .forEach(p -> assertThat(decide(p, 1, 7, 1_500)).as(p).isEqualTo(Decision.SERVE));
    PEERS.stream()
        .filter(p -> !committee.seats(p))
        .forEach(p -> assertThat(decide(p, 1, 7, 1_500)).as(p).isEqualTo(Decision.SKIP_UNSEATED));
  }

  @Test
  void everyPeerAgreesWithTheConsensusDrawOverManyTasksAndBothRosters() {
    int unseated = 0;
    for (long offset = 0; offset < 200; offset++) {
      for (int partition = 0; partition < 3; partition++) {
        // a task appended just before the second roster took effect, and one just after
        for (long appendTime : new long[] {1_999, 2_000}) {
          Roster inEffect = appendTime < 2_000 ? FIRST : SECOND;
          for (Integer redundancy : new Integer[] {null, 1, 3}) {
            Committee committee = drawn(inEffect, redundancy, partition, offset, appendTime);
            for (String peer : PEERS) {
              Decision d =
                  new Seating(rosters, peer, Set.of(MODEL))
                      .decide(new TaskPeek("t", MODEL, redundancy), partition, offset, appendTime);
              assertThat(d)
                  .isEqualTo(committee.seats(peer) ? Decision.SERVE : Decision.SKIP_UNSEATED);
              unseated += d == Decision.SKIP_UNSEATED ? 1 : 0;
            }
          }
        }
      }
    }
    assertThat(unseated).as("most peers sit out most tasks").isGreaterThan(200 * 3 * 2 * 3);
  }

  @Test
  void theRostersDefaultRedundancyAppliesToATaskThatNamesNone() {
    // a task whose two draws seat two peers (else seats are added: Committee.MIN_DISTINCT)
    long offset = 11;
    while (drawn(FIRST, 2, 0, offset, 1_200).seats().size() != 2) {
      offset++;
    }
    Committee committee = drawn(FIRST, null, 0, offset, 1_200);
    assertThat(committee.seats()).as("the roster's default, two seats").hasSize(2);
    long at = offset;
    long serving = PEERS.stream().filter(p -> decide(p, null, at, 1_200) == Decision.SERVE).count();
    assertThat(serving).isEqualTo(committee.seatsByPeer().size());
  }

  @Test
  void redundancyAllIsServedByEveryPeerEvenOneOutsideTheRoster() {
    for (String peer : List.of("p1", "p5", "newcomer")) {
      assertThat(decide(peer, Redundancy.ALL, 3, 1_500)).as(peer).isEqualTo(Decision.SERVE);
    }
  }

  @Test
  void aTaskOlderThanEveryRosterReadIsServedByEveryPeer() {
    for (String peer : PEERS) {
      assertThat(decide(peer, 1, 3, 999)).as(peer).isEqualTo(Decision.SERVE);
      assertThat(
              new Seating(new Rosters(), peer, Set.of(MODEL))
                  .decide(new TaskPeek("t", MODEL, 1), 0, 3, 1_500))
          .isEqualTo(Decision.SERVE);
    }
  }

  @Test
  void aModelNoMemberServesHasNoCommitteeSoEveryPeerServingItServes() {
    // given a peer that serves a model no roster member serves (it joined after the roster)
    Seating seating = new Seating(rosters, "newcomer", Set.of(OTHER_MODEL));

    assertThat(seating.decide(new TaskPeek("t", OTHER_MODEL, 1), 0, 3, 1_500))
        .isEqualTo(Decision.SERVE);
  }

  @Test
  void aPeerOutsideTheRosterSkipsEvenWhenTheCommitteeIsEveryMember() {
    // five seats for five candidates: every member holds one, and only members count
    assertThat(drawn(FIRST, 5, 0, 3, 1_500).everyone()).isTrue();
    assertThat(decide("p3", 5, 3, 1_500)).isEqualTo(Decision.SERVE);
    assertThat(decide("newcomer", 5, 3, 1_500)).isEqualTo(Decision.SKIP_UNSEATED);
  }

  @Test
  void aModelThePeerDoesNotServeIsSkippedWhateverTheSeats() {
    Seating seating = new Seating(rosters, "p1", Set.of(OTHER_MODEL));

    assertThat(seating.decide(new TaskPeek("t", MODEL, Redundancy.ALL), 0, 3, 1_500))
        .isEqualTo(Decision.SKIP_MODEL);
    assertThat(seating.decide(new TaskPeek("t", MODEL, 5), 0, 3, 1_500))
        .isEqualTo(Decision.SKIP_MODEL);
  }

  @Test
  void onlyAWellFormedTaskFiledUnderItsIdIsPeekedTheRestIsLeftToTheFullReading() {
    Task task =
        Task.of("t1", MODEL, new byte[] {1, 2, 3}, "image/png", "r", null).withRedundancy(2);
    byte[] json = Topics.TASKS.valueSerde().serializer().serialize(Topics.TASKS.name(), task);

    assertThat(Seating.peek("t1", json)).isEqualTo(new TaskPeek("t1", MODEL, 2));
    assertThat(Seating.peek("t2", json)).as("filed under another id").isNull();
    assertThat(Seating.peek("t1", null)).isNull();
    assertThat(Seating.peek("t1", bytes("{\"taskId\":\"t1\",\"redundancy\":2}")))
        .as("no model id")
        .isNull();
    assertThat(
            Seating.peek(
                "t1", bytes("{\"taskId\":\"t1\",\"modelId\":\"m\",\"redundancy\":\"many\"}")))
        .isNull();
    assertThat(Seating.peek("t1", bytes("not json"))).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
