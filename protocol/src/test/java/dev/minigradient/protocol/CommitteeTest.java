package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitteeTest {
  private static final String MODEL = "m".repeat(64);

  private static Roster roster(int defaultK, Roster.Member... members) {
    return new Roster(Roster.SCHEMA_VERSION, 0, "beacon", defaultK, List.of(members));
  }

  private static Roster.Member member(String id, double weight) {
    return new Roster.Member(id, weight, List.of(MODEL));
  }

  private static Roster equal(int n) {
    Roster.Member[] ms = new Roster.Member[n];
    for (int i = 0; i < n; i++) {
      ms[i] = member("p" + i, 1.0);
    }
    return roster(3, ms);
  }

  @Test
  void everyPartyDrawsTheSameSeatsFromTheSameInputs() {
    Roster r = equal(20);
    byte[] seed = Committee.seed(r.beacon(), 2, 417, 1_700_000_000_123L);
    assertThat(Committee.draw(r, MODEL, 5, seed))
        .isEqualTo(Committee.draw(r, MODEL, 5, seed.clone()));
    assertThat(Committee.draw(r, MODEL, 5, seed).seats()).hasSize(5);
  }

  @Test
  void theSeedDependsOnWhereAndWhenTheBrokerAppendedTheTaskAndOnTheBeacon() {
    byte[] a = Committee.seed("b", 0, 1, 1000);
    assertThat(a).isNotEqualTo(Committee.seed("b", 1, 1, 1000));
    assertThat(a).isNotEqualTo(Committee.seed("b", 0, 2, 1000));
    assertThat(a).isNotEqualTo(Committee.seed("b", 0, 1, 1001));
    assertThat(a).isNotEqualTo(Committee.seed("c", 0, 1, 1000));
  }

  @Test
  void theNetworkDefaultAppliesWhenTheTaskNamesNoRedundancy() {
    Roster r = equal(20);
    assertThat(Committee.draw(r, MODEL, null, Committee.seed("b", 0, 0, 0)).seats()).hasSize(3);
  }

  @Test
  void allOrMoreSeatsThanCandidatesSeatsEveryCandidateOnce() {
    Roster r = equal(3);
    byte[] seed = Committee.seed("b", 0, 0, 0);
    Committee c = Committee.draw(r, MODEL, 3, seed);
    assertThat(c.everyone()).isTrue();
    assertThat(c.seats()).containsExactly("p0", "p1", "p2");
    assertThat(Committee.draw(equal(10), MODEL, Redundancy.ALL, seed).seats()).hasSize(10);
  }

  @Test
  void onlyCandidatesServingTheModelAreDrawnAndNoneGivesAnEmptyCommittee() {
    Roster r =
        roster(
            3,
            member("a", 1),
            member("b", 1),
            new Roster.Member("other", 5, List.of("x")),
            member("c", 1),
            member("d", 1));
    for (int i = 0; i < 200; i++) {
      assertThat(Committee.draw(r, MODEL, 3, Committee.seed("b", 0, i, 0)).seats())
          .doesNotContain("other");
    }
    assertThat(Committee.draw(r, "unknown", 3, Committee.seed("b", 0, 0, 0)).seats()).isEmpty();
  }

  @Test
  void aCandidateWithoutWeightNeverWinsASeat() {
    Roster r =
        roster(
            3, member("a", 1), member("b", 1), member("zero", 0), member("c", 1), member("d", 1));
    for (int i = 0; i < 500; i++) {
      assertThat(Committee.draw(r, MODEL, 3, Committee.seed("b", 0, i, 0)).seats())
          .doesNotContain("zero");
    }
  }

  @Test
  void aDrawThatSeatsOnePeerAddsSeatsUntilASecondPeerHoldsOne() {
    Roster r = equal(4);
    int extended = 0;
    for (int i = 0; i < 4_000; i++) {
      Committee c = Committee.draw(r, MODEL, 3, Committee.seed("b", 0, i, 0));
      assertThat(c.seatsByPeer()).hasSizeGreaterThanOrEqualTo(2);
      if (c.seats().size() > 3) {
        extended++;
      }
    }
    // one peer wins all three seats with probability 4 x (1/4)^3 = 1/16
    assertThat(extended / 4_000.0).isBetween(1 / 16.0 - 0.015, 1 / 16.0 + 0.015);
  }

  @Test
  void aTaskAskingForOneSeatIsServedByOnePeer() {
    assertThat(Committee.draw(equal(10), MODEL, 1, Committee.seed("b", 0, 0, 0)).seats())
        .hasSize(1);
  }

  @Test
  void eachSeatGoesToACandidateInProportionToItsWeight() {
    Roster r =
        roster(
            3,
            member("heavy", 3),
            member("a", 1),
            member("b", 1),
            member("c", 1),
            member("d", 1),
            member("e", 1));
    int heavy = 0;
    int seats = 0;
    for (int i = 0; i < 20_000; i++) {
      for (String s : Committee.draw(r, MODEL, 1, Committee.seed("b", 0, i, 0)).seats()) {
        seats++;
        heavy += s.equals("heavy") ? 1 : 0;
      }
    }
    double share = heavy / (double) seats; // expected 3/8
    assertThat(share)
        .isBetween(
            0.375 - 4 * Math.sqrt(0.375 * 0.625 / seats),
            0.375 + 4 * Math.sqrt(0.375 * 0.625 / seats));
  }

  @Test
  void splittingAStakeOverManyIdentitiesWinsTheSameShareOfSeats() {
    // the same 20% of the weight, held by one identity or by four
    List<Roster.Member> honest = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      honest.add(member("h" + i, 1.0));
    }
    List<Roster.Member> one = new ArrayList<>(honest);
    one.add(member("sybil", 2.0));
    List<Roster.Member> four = new ArrayList<>(honest);
    for (int i = 0; i < 4; i++) {
      four.add(member("sybil-" + i, 0.5));
    }
    int draws = 30_000;
    double shareOne = sybilShare(new Roster(1, 0, "b", 3, one), draws);
    double shareFour = sybilShare(new Roster(1, 0, "b", 3, four), draws);
    double se = Math.sqrt(0.2 * 0.8 / draws);
    assertThat(shareOne).isBetween(0.2 - 4 * se, 0.2 + 4 * se);
    assertThat(shareFour).isBetween(0.2 - 4 * se, 0.2 + 4 * se);
    assertThat(Math.abs(shareOne - shareFour)).isLessThan(5 * se * Math.sqrt(2));
  }

  /** Share of the first k seats won by identities whose id starts with "sybil". */
  private static double sybilShare(Roster r, int tasks) {
    int won = 0;
    int seats = 0;
    for (int i = 0; i < tasks / 3; i++) {
      for (String s :
          Committee.draw(r, MODEL, 3, Committee.seed("b", 1, i, 7)).seats().subList(0, 3)) {
        seats++;
        won += s.startsWith("sybil") ? 1 : 0;
      }
    }
    return won / (double) seats;
  }

  @Test
  void aSeatsReplacementIsTheNextInItsRankingThatHoldsNoSeatAndServesTheModel() {
    // given a committee drawn from ten peers, one of which does not serve the model
    Roster.Member[] ms = new Roster.Member[10];
    for (int i = 0; i < 9; i++) {
      ms[i] = member("p" + i, 1.0);
    }
    ms[9] = new Roster.Member("other-model", 5.0, List.of("x".repeat(64)));
    Roster r = roster(3, ms);
    byte[] seed = Committee.seed(r.beacon(), 0, 7, 1_000);
    Committee c = Committee.draw(r, MODEL, 3, seed);
    List<String> ranked = Committee.ranking(List.of(ms).subList(0, 9), seed, 1);
    assertThat(ranked.get(0)).isEqualTo(c.seats().get(1));

    // when seat 1 is replaced, excluding every seat holder
    String next = Committee.replacement(r, MODEL, seed, 1, c.seats());

    // then it is the first of seat 1's ranking that holds no seat
    String expected = ranked.stream().filter(p -> !c.seats(p)).findFirst().orElseThrow();
    assertThat(next).isEqualTo(expected).isNotEqualTo("other-model");
    // and an appointee already taken is skipped for the next seat
    List<String> taken = new ArrayList<>(c.seats());
    taken.add(next);
    assertThat(Committee.replacement(r, MODEL, seed, 1, taken)).isNotIn(taken).isNotNull();
    // with every candidate excluded there is none
    assertThat(Committee.replacement(r, MODEL, seed, 1, ranked)).isNull();
  }
}
