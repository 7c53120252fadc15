package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Roster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Rosters}: the roster of an epoch, without Kafka. */
class RostersTest {
  private static Peer peer(String id, String... models) {
    return new Peer(Peer.SCHEMA_VERSION, id, "", 100, List.of(models), "test", 0, 1_000, false);
  }

  @Test
  void aRosterBuiltNowTakesEffectAtTheNextEpoch() {
    assertThat(Rosters.nextEpoch(0, 1_000)).isEqualTo(1_000);
    assertThat(Rosters.nextEpoch(999, 1_000)).isEqualTo(1_000);
    assertThat(Rosters.nextEpoch(1_000, 1_000))
        .as("an epoch's first ms builds the next one")
        .isEqualTo(2_000);
  }

  @Test
  void everyCandidateIsListedInOrderWithItsWeightAndModelsUnderTheEpochsBeacon() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    peers.put("b", peer("b", "m1"));
    peers.put("a", peer("a", "m1", "m2"));
    WeightRule weights = (candidates, ledger) -> Map.of("a", 0.25);
    byte[] secret = AuditSample.salt(7);

    Roster r = Rosters.of(5_000, secret, 3, peers, weights, id -> null);

    assertThat(r.effectiveFrom()).isEqualTo(5_000);
    assertThat(r.defaultRedundancy()).isEqualTo(3);
    assertThat(r.beacon())
        .isEqualTo(Roster.beacon(secret, 5_000))
        .isNotEqualTo(Roster.beacon(secret, 6_000));
    assertThat(r.members())
        .containsExactly(
            new Roster.Member("b", 0.0, List.of("m1")),
            new Roster.Member("a", 0.25, List.of("m1", "m2")));
  }
}
