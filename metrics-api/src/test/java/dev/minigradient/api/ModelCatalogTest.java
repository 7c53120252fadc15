package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.http.BadRequestResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Resolving the model a submission names, and the list {@code GET /api/models} answers. */
class ModelCatalogTest {
  private static final String MNIST_ID = MetricsApiTest.MNIST_ID;
  private static final String FASHION_ID = MetricsApiTest.FASHION_ID;
  private static final String UNNAMED_ID = "3".repeat(64);

  private static ModelCatalog catalog(String defaultModelId, Map<String, List<String>> served) {
    return new ModelCatalog(MetricsApiTest.KNOWN, defaultModelId, () -> served);
  }

  @Test
  void aModelIsNamedByItsIdOrByTheNameOfAKnownModel() {
    ModelCatalog models = catalog(null, Map.of());
    assertThat(models.resolve("mnist")).isEqualTo(MNIST_ID);
    assertThat(models.resolve(" fashion-mnist ")).isEqualTo(FASHION_ID);
    // an id nobody knows passes as it is: the peers answer it
    assertThat(models.resolve("a".repeat(64))).isEqualTo("a".repeat(64));
  }

  @Test
  void anUnknownNameIsA400ThatListsTheKnownNames() {
    assertThatThrownBy(() -> catalog(null, Map.of()).resolve("cifar"))
        .isInstanceOf(BadRequestResponse.class)
        .hasMessageContaining("unknown model 'cifar'")
        .hasMessageContaining("[fashion-mnist, mnist]")
        .hasMessageContaining("SHA-256");
  }

  @Test
  void noNameGivesTheDefaultElseTheOneModelActivePeersServe() {
    Map<String, List<String>> one = Map.of(UNNAMED_ID, List.of("p1"));
    assertThat(catalog(FASHION_ID, one).resolve(null)).isEqualTo(FASHION_ID);
    assertThat(catalog(null, one).resolve(" ")).isEqualTo(UNNAMED_ID);
    Map<String, List<String>> two = Map.of(MNIST_ID, List.of("p1"), UNNAMED_ID, List.of("p2"));
    assertThatThrownBy(() -> catalog(null, two).resolve(null))
        .isInstanceOf(BadRequestResponse.class)
        .hasMessageStartingWith("name the model");
  }

  @Test
  void theListHasKnownAndServedModelsByNameUnknownLast() {
    // given one known model served by two peers, one known unserved, and one unknown served
    ModelCatalog models =
        catalog(MNIST_ID, Map.of(MNIST_ID, List.of("p1", "p2"), UNNAMED_ID, List.of("p3")));

    // when listed
    List<Map<String, Object>> docs = models.documents();

    // then sorted by name with the unknown one last, each with its peers and the default marked
    assertThat(docs)
        .extracting(d -> d.get("modelId"))
        .containsExactly(FASHION_ID, MNIST_ID, UNNAMED_ID);
    assertThat(docs.get(0))
        .containsEntry("name", "fashion-mnist")
        .containsEntry("peers", List.of())
        .containsEntry("default", false);
    assertThat(docs.get(1))
        .containsEntry("labels", List.of("0", "1"))
        .containsEntry("peers", List.of("p1", "p2"))
        .containsEntry("default", true);
    assertThat(docs.get(2))
        .containsEntry("name", null)
        .containsEntry("labels", null)
        .containsEntry("peers", List.of("p3"));
  }
}
