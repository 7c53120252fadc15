package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.consensus.Replacements.Appointment;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Roster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplacementsTest {
  private static final String MODEL = "a".repeat(64);

  /** Ranks by a fixed list per seat, as {@link Committee#ranking} would. */
  private static Replacements.Ranker ranked(Map<Integer, List<String>> bySeat) {
    return (seat, excluded) ->
        bySeat.getOrDefault(seat, List.of()).stream()
            .filter(p -> !excluded.contains(p))
            .findFirst()
            .orElse(null);
  }

  @Test
  void eachSilentSeatGoesToItsNextRankedPeerThatHoldsNoSeatAndWasNotAppointedBefore() {
    // seats 0 and 2 are silent; x ranks first for both
    List<String> seats = List.of("a", "b", "c");
    Replacements.Ranker ranker =
        ranked(Map.of(0, List.of("a", "b", "x", "y"), 2, List.of("c", "x", "a", "z")));

    List<Appointment> appointed = Replacements.appoint(seats, Set.of("b"), ranker);

    assertThat(appointed)
        .containsExactly(new Appointment(0, "a", "x"), new Appointment(2, "c", "z"));
    assertThat(Replacements.finalSeats(seats, appointed)).containsExactly("x", "b", "z");
    assertThat(Replacements.replaced(appointed)).containsExactly("a", "c");
  }

  @Test
  void noSilentSeatAppointsNobodyAndASilentSeatWithoutCandidatesAppointsNoneAtAll() {
    Replacements.Ranker ranker = ranked(Map.of(0, List.of("a", "x"), 1, List.of("b", "a")));
    assertThat(Replacements.appoint(List.of("a", "b"), Set.of("a", "b"), ranker)).isEmpty();
    assertThat(Replacements.appoint(List.of("a", "b"), Set.of(), ranker))
        .as("seat 1 has nobody left")
        .isNull();
  }

  @Test
  void theRosterRankerAppointsWhatCommitteeReplacementGives() {
    List<Roster.Member> members = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      members.add(new Roster.Member("p" + i, 1.0, List.of(MODEL)));
    }
    Roster roster = new Roster(Roster.SCHEMA_VERSION, 0, "beacon", 3, members);
    byte[] seed = Committee.seed(roster.beacon(), 1, 42, 5_000);
    Committee c = Committee.draw(roster, MODEL, 3, seed);

    List<Appointment> appointed =
        Replacements.appoint(c.seats(), Set.of(), Replacements.ranker(roster, MODEL, seed));

    assertThat(appointed).hasSize(3);
    assertThat(appointed.get(0).peerId())
        .isEqualTo(Committee.replacement(roster, MODEL, seed, 0, c.seats()));
    assertThat(appointed)
        .extracting(Appointment::peerId)
        .doesNotHaveDuplicates()
        .noneMatch(c::seats);
  }

  @Test
  void appointingRecordsTheAppointeesAsEligibleWithTheSeatsTheyTook() {
    PendingTask p = new PendingTask();
    p.modelId = MODEL;
    p.partition = 2;
    p.offset = 9;
    p.appendTime = 1_000;
    p.committee.addAll(List.of("a", "b", "a"));
    p.eligible.putAll(Map.of("a", 2.0, "b", 1.0));

    var out =
        Replacements.appointIn(
            p, "t", List.of(new Appointment(0, "a", "x"), new Appointment(2, "a", "y")), 7_000);

    assertThat(p.eligible).containsEntry("a", 2.0).containsEntry("x", 1.0).containsEntry("y", 1.0);
    assertThat(out)
        .extracting(r -> r.seat() + " " + r.replacedPeerId() + " " + r.peerId())
        .containsExactly("0 a x", "2 a y");
    assertThat(out.get(0).partition()).isEqualTo(2);
    assertThat(out.get(0).offset()).isEqualTo(9);
    assertThat(out.get(0).appendTime()).isEqualTo(1_000);
    assertThat(out.get(0).appointedAt()).isEqualTo(7_000);
  }
}
