package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.launcher.EmbeddedNetwork.PeerPlan;
import dev.minigradient.launcher.Simulation.Mix;
import dev.minigradient.producer.Input;
import dev.minigradient.worker.Behavior;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mix parsing and input selection of {@link Simulation}, without a network. */
class SimulationTest {

  @Test
  void aMixNamesItsPeersAndWiresTheForgerToEveryoneElse() {
    Mix m = Mix.parse("honest:3,constant@30,forger,audit=0.5");
    assertThat(m.peers())
        .extracting(PeerPlan::peerId)
        .containsExactly("honest-1", "honest-2", "honest-3", "constant-1", "forger-1");
    assertThat(m.peers().get(3).stake()).isEqualTo(30);
    assertThat(m.auditRate()).isEqualTo(0.5);
    assertThat(m.peers().get(4).behavior().kind()).isEqualTo(Behavior.Kind.FORGER);
    assertThat(m.peers().get(4).behavior().forgeAs()).contains("honest-1", "constant-1");
  }

  @Test
  void aBadMixIsRefusedBeforeAnythingRunsWithWhatWasTyped() {
    for (String[] bad :
        new String[][] {
          {"nonsense", "unknown behavior 'nonsense'"},
          {"honest:0", "count must be >= 1"},
          {"honest:3@abc", "honest:3@abc"},
          {"honest:3,audit=2", "audit rate must be in [0,1]"},
          {"honest:3,audit=0.5,audit=0", "audit= given twice"},
          {"honest:65", "1..64 peers"},
          {",", "1..64 peers"}
        }) {
      assertThatThrownBy(() -> Mix.parse(bad[0]))
          .as(bad[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad[1]);
    }
  }

  @Test
  void inputsAreTakenInTurnFromEachLabel() {
    List<Input> sorted = new ArrayList<>();
    for (int label = 0; label < 10; label++) {
      for (int i = 0; i < 20; i++) {
        sorted.add(new Input("d" + label + "-" + i, null, new byte[0], label, null));
      }
    }
    List<Input> picked = Simulation.balanced(sorted, 25);
    assertThat(picked).hasSize(25);
    assertThat(picked.subList(0, 10))
        .extracting(Input::trueLabel)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(picked).extracting(Input::trueLabel).filteredOn(l -> l == 0).hasSize(3);
    assertThat(Simulation.balanced(sorted, 1000)).hasSize(200);
  }
}
