package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KafkaSettings;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API while its state stores are not queryable (views not started): 503, never 500. */
class MetricsApiTest {
  @TempDir Path stateDir;

  private NetworkViews views;
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startApi() {
    views = new NetworkViews(new KafkaSettings("127.0.0.1:9", Map.of()), "api-test", stateDir);
    app = MetricsApi.create(views).start(0);
  }

  @AfterEach
  void stopApi() {
    app.stop();
    views.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesAnswer503WithRetryAfterWhileTheStoresAreNotReady() throws Exception {
    for (String path : new String[] {"/metrics", "/api/consensus", "/api/tasks/x"}) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as(path).contains("1");
      assertThat(r.body()).contains("state stores not ready");
    }
  }

  @Test
  void healthSaysDownWithTheStreamsState() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("\"status\":\"DOWN\"").contains("\"streams\":\"CREATED\"");
  }

  @Test
  void aBadLimitIsA400NotA500() throws Exception {
    assertThat(get("/api/consensus?limit=abc").statusCode()).isEqualTo(400);
    assertThat(get("/api/consensus?limit=0").statusCode()).isEqualTo(400);
  }
}
