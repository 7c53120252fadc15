package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.launcher.EmbeddedNetwork.PeerPlan;
import dev.minigradient.launcher.Simulation.Mix;
import dev.minigradient.launcher.Simulation.MixOutcome;
import dev.minigradient.launcher.Simulation.PeerOutcome;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.worker.Behavior;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One adversary of each kind against three honest peers, each on a fresh in-JVM KRaft broker with
 * the real model: the consensus never departs from the honest model's answer, and the ledger
 * catches the adversary in the way its kind allows.
 */
class AdversariesIT {
  private static final Path MNIST = Path.of("..", "models", "mnist");
  private static final int TASKS = 24;
  private static final long TIMEOUT_MS = 5_000;

  private static ModelSpec model;
  private static List<Input> inputs;

  @BeforeAll
  static void load() throws Exception {
    model = ModelSpec.load(MNIST);
    inputs = Simulation.balanced(Submitter.read(List.of(MNIST.resolve("samples"))), TASKS);
  }

  private static MixOutcome run(String spec) throws Exception {
    return run(spec, UnaryOperator.identity());
  }

  /** Runs a mix, with the adversaries' settings changed by {@code tune}. */
  private static MixOutcome run(String spec, UnaryOperator<Behavior> tune) throws Exception {
    Mix parsed = Mix.parse(spec);
    List<PeerPlan> peers =
        parsed.peers().stream()
            .map(
                p ->
                    p.behavior().kind() == Behavior.Kind.HONEST
                        ? p
                        : new PeerPlan(p.peerId(), tune.apply(p.behavior()), p.stake()))
            .toList();
    MixOutcome o =
        Simulation.run(
            new Mix(spec, peers, parsed.auditRate(), parsed.redundancy()),
            model,
            inputs,
            TIMEOUT_MS,
            4);
    System.out.print(SimulationTable.markdown(List.of(o)));
    assertThat(o.tasks()).isEqualTo(TASKS);
    assertThat(o.decided()).as("every task decided").isEqualTo(TASKS);
    assertThat(o.wrongVsModel())
        .as("decisions that differ from the honest model's answer")
        .isZero();
    return o;
  }

  private static Reputation ledger(MixOutcome o, String peerId) {
    PeerOutcome p =
        o.peers().stream().filter(x -> x.peerId().equals(peerId)).findFirst().orElseThrow();
    assertThat(p.last()).as(peerId + " in the ledger").isNotNull();
    return p.last();
  }

  private static double lowestHonestScore(MixOutcome o) {
    return o.peers().stream()
        .filter(p -> p.behavior().startsWith("honest"))
        .mapToDouble(p -> p.last().score())
        .min()
        .orElseThrow();
  }

  private static void honestPeersAgreedEveryTime(MixOutcome o) {
    for (String id : List.of("honest-1", "honest-2", "honest-3")) {
      Reputation r = ledger(o, id);
      assertThat(r.disagreed() + r.invalid() + r.auditFailed()).as(id).isZero();
      // four peers at 3 seats: a peer sits on about 58% of the tasks (1 - (3/4)^3)
      assertThat(r.agreed()).as(id).isGreaterThan(TASKS / 4);
    }
  }

  /** A liar (random, constant or lazy) falls below every honest peer within 20 tasks and stays. */
  private static void liarCaught(MixOutcome o, String liar) {
    honestPeersAgreedEveryTime(o);
    Reputation r = ledger(o, liar);
    assertThat(r.disagreed()).isPositive();
    assertThat(r.score()).isLessThan(lowestHonestScore(o));
    assertThat(o.badBelowHonestAfter())
        .as("verdicts until the liar stays below every honest peer")
        .isNotNull()
        .isLessThanOrEqualTo(20);
  }

  @Test
  void aRandomLiarIsOutvotedAndFallsBelowEveryHonestPeer() throws Exception {
    liarCaught(run("honest:3,random"), "random-1");
  }

  @Test
  void aConstantLiarIsOutvotedAndFallsBelowEveryHonestPeer() throws Exception {
    liarCaught(run("honest:3,constant"), "constant-1");
  }

  @Test
  void aLazyPeerThatGuessesFromTheBytesIsOutvoted() throws Exception {
    liarCaught(run("honest:3,lazy"), "lazy-1");
  }

  @Test
  void aCopycatSeesOnlySealedVotesEarnsNothingAndAuditsSlashIt() throws Exception {
    MixOutcome o = run("honest:3,copycat,audit=1.0");
    honestPeersAgreedEveryTime(o);
    Reputation copycat = ledger(o, "copycat-1");
    assertThat(copycat.auditFailed()).as("audits failed").isPositive();
    assertThat(copycat.rewards()).as("rewards of a copycat").isZero();
    assertThat(copycat.stake()).isLessThan(copycat.bond() / 2 + 1e-9);
    assertThat(copycat.score()).isLessThan(lowestHonestScore(o));
    for (String id : List.of("honest-1", "honest-2", "honest-3")) {
      assertThat(ledger(o, id).rewards()).as(id + " rewards").isPositive();
      assertThat(ledger(o, id).audited()).as(id + " audited").isPositive();
    }
  }

  @Test
  void aSlowPeerIsJudgedLateAndEarnsNoReward() throws Exception {
    // the slow seat answers 4 s late: at the seat timeout (2 s) its seat goes to the next-ranked
    // peer, and its vote, after its seat's timeout, is LATE and unpaid
    MixOutcome o =
        run("honest:3,slow", b -> b.with(b.constantLabel(), 4_000, b.crashAfter(), b.forgeAs()));
    honestPeersAgreedEveryTime(o);
    Reputation slow = ledger(o, "slow-1");
    assertThat(slow.late()).isPositive();
    assertThat(slow.disagreed()).isZero();
    assertThat(slow.rewards()).isZero();
    assertThat(slow.score()).isLessThan(lowestHonestScore(o));
  }

  @Test
  void aCrashedPeerIsJudgedMissedAndTheOthersStillDecide() throws Exception {
    MixOutcome o =
        run("honest:3,crash", b -> b.with(b.constantLabel(), b.delayMs(), 6, b.forgeAs()));
    honestPeersAgreedEveryTime(o);
    Reputation crashed = ledger(o, "crash-1");
    assertThat(crashed.agreed()).isLessThanOrEqualTo(6);
    assertThat(crashed.missed()).isPositive();
    assertThat(crashed.score()).isLessThan(lowestHonestScore(o));
  }

  @Test
  void everyForgedVoteIsRejectedAndNoHonestPeerIsBlamedForIt() throws Exception {
    MixOutcome o = run("honest:3,forger");
    assertThat(o.forgedSent()).isPositive();
    assertThat(o.forgedRejected()).isEqualTo(o.forgedSent());
    honestPeersAgreedEveryTime(o);
  }

  @Test
  void aColludingMajorityOfPeersUnderAThirdOfTheStakeNeverWinsAndAuditsSlashIt() throws Exception {
    // four of seven peers answer the same wrong label, with 120 of 420 stake (29%), every peer
    // serving every task: the 2/3 quorum keeps them from deciding, escalation settles each task
    MixOutcome o = run("honest:3@100,constant:4@30,audit=0.5,k=all");
    honestPeersAgreedEveryTime(o);
    for (int i = 1; i <= 4; i++) {
      Reputation r = ledger(o, "constant-" + i);
      assertThat(r.score()).isLessThan(lowestHonestScore(o));
      assertThat(r.auditFailed()).as("constant-" + i + " audits failed").isPositive();
      assertThat(r.stake()).isLessThan(30);
    }
  }
}
