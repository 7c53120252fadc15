package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minigradient.consensus.CommitteeTrial.Behavior;
import dev.minigradient.consensus.CommitteeTrial.Config;
import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Roster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CommitteeTrial}: the committee rules at volume, without Kafka. */
class CommitteeTrialTest {

  @Test
  void theSameSeedGivesTheSameResultAndAnotherSeedAnotherOne() {
    Config row = Config.of(15, 5, Behavior.COLLUDING, 3).withTasks(300);

    TrialResult first = CommitteeTrial.run(row, 2);
    TrialResult again = CommitteeTrial.run(row, 2);
    TrialResult other = CommitteeTrial.run(row.withSeed(99), 2);

    assertThat(again).isEqualTo(first);
    assertThat(other.inferences()).as("other draws, other audits").isNotEqualTo(first.inferences());
  }

  @Test
  void anHonestNetworkNeverDecidesWrongAndRunsAboutKInferencesPerTask() {
    for (int k : List.of(3, 5)) {
      TrialResult r = CommitteeTrial.run(Config.of(30, 0, Behavior.HONEST, k), 1);

      assertThat(r.wrong()).isZero();
      assertThat(r.escalations()).as("no seat ever disagrees with the model").isEmpty();
      assertThat(r.honestSlashed()).isFalse();
      // k seats drawn with replacement from 30 equal peers: 30 (1 - (29/30)^k) distinct voters,
      // plus
      // audits; fewer once weights differ (the newcomer cap, rewards), as a peer holding two seats
      // votes once
      double distinct = 30 * (1 - Math.pow(29.0 / 30, k));
      assertThat(r.inferencesPerTask()).isBetween(0.9 * distinct, 1.1 * k);
    }
  }

  @Test
  void withTheLedgerFrozenAndNoAuditsColludersHoldingAThirdWinAboutFToTheKOfTasks() {
    // weights never move and nothing is audited: a task is wrong exactly when all 3 seats are
    // colluders
    Config row =
        Config.of(15, 5, Behavior.COLLUDING, 3).withTasks(4_000).withAudits(0, 0).withFrozen(true);

    TrialResult r = CommitteeTrial.run(row, 1);

    double expected = Math.pow(1.0 / 3, 3);
    assertThat(row.bound()).isCloseTo(expected, within(1e-12));
    assertThat(r.wrongRate().contains(expected))
        .as("Wilson 95%% interval %s of %d/%d contains 1/27", r.wrongRate(), r.wrong(), r.tasks())
        .isTrue();
    // every other committee mixes colluders and honest peers, disagrees, and goes to the referee
    assertThat(r.escalations()).containsOnlyKeys("disagreement");
    assertThat(r.escalations().get("disagreement") / (double) r.tasks())
        .isCloseTo(1 - expected - Math.pow(2.0 / 3, 3), within(0.03));
  }

  @Test
  void colludersLoseTheirSeatsWithinAFewRostersAndNoHonestPeerIsEverSlashed() {
    TrialResult r = CommitteeTrial.run(Config.of(15, 5, Behavior.COLLUDING, 3), 3);

    assertThat(r.honestSlashed()).isFalse();
    assertThat(r.adversaryWeight()).as("slashed to a score of 0: no weight left").isZero();
    assertThat(r.correctAfter())
        .as("no wrong acceptance after the first rosters")
        .isLessThanOrEqualTo(50);
    assertThat(r.badBelowHonestAfter()).isNotNull().isLessThan(100);
    assertThat(r.wrongPerTask()).isLessThanOrEqualTo(r.config().bound());
  }

  @Test
  void everyAdversaryEndsBelowEveryHonestPeerAndNoHonestPeerIsSlashed() {
    for (Behavior b :
        List.of(Behavior.CONSTANT, Behavior.RANDOM, Behavior.COPYCAT, Behavior.LAZY)) {
      TrialResult r = CommitteeTrial.run(Config.of(15, 3, b, 3).withTasks(1_000), 1);

      assertThat(r.honestSlashed()).as(b.name()).isFalse();
      assertThat(r.badBelowHonestAfter()).as(b.name()).isNotNull();
    }
  }

  @Test
  void aSilentCopycatSeatIsEscalatedAtTheDeadlineNotDecidedWrong() {
    TrialResult r = CommitteeTrial.run(Config.of(15, 5, Behavior.COPYCAT, 3).withTasks(500), 1);

    assertThat(r.wrong()).isZero();
    assertThat(r.escalations()).containsKey("missing-seat");
  }

  @Test
  void splittingAStakeOverManyIdentitiesDoesNotChangeItsShareOfSeats() {
    // an adversary with a fifth of the weight, as one identity or as four with a quarter each
    double whole = seatShare(List.of(0.2));
    double split = seatShare(List.of(0.05, 0.05, 0.05, 0.05));

    double draws = DRAWS * SEATS;
    double se = Math.sqrt(0.2 * 0.8 / draws);
    assertThat(whole).isCloseTo(0.2, within(4 * se));
    assertThat(split).isCloseTo(0.2, within(4 * se));
    assertThat(split - whole).isCloseTo(0, within(4 * Math.sqrt(2) * se));
  }

  private static final int DRAWS = 4_000;
  private static final int SEATS = 5;

  /**
   * The share of seats the {@code sybil} identities win beside 8 honest peers of weight 0.1 each.
   */
  private static double seatShare(List<Double> sybil) {
    List<Roster.Member> members = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      members.add(new Roster.Member("honest-" + i, 0.1, List.of("m")));
    }
    for (int i = 0; i < sybil.size(); i++) {
      members.add(new Roster.Member("sybil-" + i, sybil.get(i), List.of("m")));
    }
    Roster roster = new Roster(Roster.SCHEMA_VERSION, 0, "c".repeat(64), SEATS, members);
    long won = 0;
    for (int t = 0; t < DRAWS; t++) {
      Committee c =
          Committee.draw(roster, "m", SEATS, Committee.seed(roster.beacon(), 0, t, 1_000L * t));
      won += c.seats().stream().filter(p -> p.startsWith("sybil-")).count();
    }
    return won / (double) (DRAWS * SEATS);
  }

  @Test
  void theWilsonIntervalMatchesItsClosedFormAndNeverLeavesZeroToOne() {
    TrialResult.Interval half = TrialResult.wilson(5, 10);
    assertThat(half.low()).isCloseTo(0.2366, within(1e-4));
    assertThat(half.high()).isCloseTo(0.7634, within(1e-4));
    TrialResult.Interval none = TrialResult.wilson(0, 10);
    assertThat(none.low()).isZero();
    assertThat(none.high()).isCloseTo(3.8415 / 13.8415, within(1e-4));
    assertThat(TrialResult.wilson(10, 10).high()).isEqualTo(1.0);
  }
}
