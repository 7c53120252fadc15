package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records built by their builders and factories write the same JSON as before, component for
 * component, and read back equal through their canonical constructors.
 */
class WireFormatTest {

  private static String json(Object o) throws Exception {
    return new String(Json.MAPPER.writeValueAsBytes(o), StandardCharsets.UTF_8);
  }

  private static <T> void writesAndReads(T built, String expected) throws Exception {
    assertThat(json(built)).isEqualTo(expected);
    assertThat(Json.MAPPER.readValue(expected, built.getClass())).isEqualTo(built);
  }

  @Test
  void aBuiltVoteWritesEveryComponentByName() throws Exception {
    Vote v =
        Vote.builder()
            .taskId("t1")
            .peerId("p1")
            .modelId("m")
            .inputSha256("h")
            .label(7)
            .rejection("why")
            .probabilities(List.of(0.25, 0.75))
            .inferenceMs(1.5)
            .votedAt(5)
            .signature("sig")
            .sealKey("sk")
            .sealed("box")
            .runtime("rt")
            .batchProof("proof")
            .build();
    writesAndReads(
        v,
        "{\"schemaVersion\":1,\"taskId\":\"t1\",\"peerId\":\"p1\",\"modelId\":\"m\",\"inputSha256\":\"h\","
            + "\"label\":7,\"rejection\":\"why\",\"probabilities\":[0.25,0.75],\"inferenceMs\":1.5,\"votedAt\":5,"
            + "\"signature\":\"sig\",\"sealKey\":\"sk\",\"sealed\":\"box\",\"runtime\":\"rt\",\"batchProof\":\"proof\",\"readable\":false}");
    assertThat(v.toBuilder().build()).isEqualTo(v);
  }

  @Test
  void aVoteSignsTheSamePayloadAsBefore() {
    Vote v = SampleVotes.answer(List.of(0.25, 0.75)).withRuntime("not signed");
    assertThat(new String(v.signedPayload(), StandardCharsets.UTF_8))
        .isEqualTo(
            "mini-gradient/vote/v1\nt1\np1\n"
                + "m".repeat(64)
                + "\n"
                + "h".repeat(64)
                + "\n7\n\n"
                + "3fd0000000000000\n3fe8000000000000");
  }

  @Test
  void aBuiltReputationWritesEveryComponentByName() throws Exception {
    Reputation r =
        Reputation.initial("p1", 0.5, 100).toBuilder()
            .agreed(1)
            .disagreed(2)
            .missed(3)
            .late(4)
            .invalid(5)
            .audited(6)
            .auditFailed(7)
            .rewards(8.5)
            .slashed(9.5)
            .stake(99)
            .updatedAt(10)
            .lapsePenalizedAt(11)
            .build();
    writesAndReads(
        r,
        "{\"peerId\":\"p1\",\"score\":0.5,\"agreed\":1,\"disagreed\":2,\"missed\":3,\"late\":4,"
            + "\"invalid\":5,\"audited\":6,\"auditFailed\":7,\"bond\":100.0,\"rewards\":8.5,\"slashed\":9.5,\"stake\":99.0,"
            + "\"updatedAt\":10,\"lapsePenalizedAt\":11}");
  }

  @Test
  void anInitialReputationHasOnlyItsScoreAndItsBondAsStake() throws Exception {
    writesAndReads(
        Reputation.initial("p1", 0.5, 100),
        "{\"peerId\":\"p1\",\"score\":0.5,\"agreed\":0,\"disagreed\":0,"
            + "\"missed\":0,\"late\":0,\"invalid\":0,\"audited\":0,\"auditFailed\":0,\"bond\":100.0,\"rewards\":0.0,"
            + "\"slashed\":0.0,\"stake\":100.0,\"updatedAt\":0,\"lapsePenalizedAt\":0}");
  }

  @Test
  void aBuiltConsensusWritesEveryComponentByName() throws Exception {
    Consensus c =
        Consensus.builder()
            .taskId("t1")
            .modelId("m")
            .name("a.png")
            .status(ConsensusStatus.DECIDED)
            .label(7)
            .confidence(0.9)
            .agreeingWeight(2)
            .totalWeight(3)
            .verdicts(
                List.of(
                    new PeerVerdict("p1", 7, Verdict.AGREED, null, 1.5, AuditResult.PASSED, 0.5)))
            .submittedAt(4)
            .decidedAt(6)
            .latencyMs(2)
            .forgedVotes(1)
            .audited(true)
            .committee(List.of("p1", "p2"))
            .escalation("audit")
            .inferences(4)
            .build();
    writesAndReads(
        c,
        "{\"schemaVersion\":1,\"taskId\":\"t1\",\"modelId\":\"m\",\"name\":\"a.png\",\"status\":\"DECIDED\","
            + "\"label\":7,\"rejection\":null,\"confidence\":0.9,\"agreeingWeight\":2.0,\"totalWeight\":3.0,"
            + "\"verdicts\":[{\"peerId\":\"p1\",\"label\":7,\"verdict\":\"AGREED\",\"reason\":null,\"weight\":1.5,"
            + "\"audit\":\"PASSED\",\"reward\":0.5}],\"submittedAt\":4,\"decidedAt\":6,\"latencyMs\":2,\"forgedVotes\":1,"
            + "\"audited\":true,\"committee\":[\"p1\",\"p2\"],\"escalation\":\"audit\",\"inferences\":4}");
  }

  @Test
  void aBuiltTaskWritesEveryComponentByName() throws Exception {
    Task t =
        Task.builder()
            .taskId("t1")
            .modelId("m")
            .input(new byte[] {1, 2})
            .contentType("image/png")
            .inputSha256("h")
            .submittedAt(4)
            .requester("cli")
            .name("a.png")
            .redundancy(3)
            .build();
    writesAndReads(
        t,
        "{\"schemaVersion\":1,\"taskId\":\"t1\",\"modelId\":\"m\",\"input\":\"AQI=\","
            + "\"contentType\":\"image/png\",\"inputSha256\":\"h\",\"submittedAt\":4,\"requester\":\"cli\","
            + "\"name\":\"a.png\",\"redundancy\":3}");
    assertThat(t.withRedundancy(null).redundancy()).isNull();
  }

  @Test
  void aBuiltPeerWritesEveryComponentByName() throws Exception {
    Peer p =
        Peer.builder()
            .peerId("p1")
            .publicKey("k")
            .stake(100)
            .models(List.of("m"))
            .hardware("hw")
            .heartbeatAt(5)
            .heartbeatIntervalMs(2000)
            .leaving(true)
            .build();
    writesAndReads(
        p,
        "{\"schemaVersion\":1,\"peerId\":\"p1\",\"publicKey\":\"k\",\"stake\":100.0,\"models\":[\"m\"],"
            + "\"hardware\":\"hw\",\"heartbeatAt\":5,\"heartbeatIntervalMs\":2000,\"leaving\":true}");
  }
}
