package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.testing.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole network the integration tests run on its own {@link TestKafka} broker: three honest
 * peers serving MNIST and Fashion-MNIST, the API on a free port, three partitions, a 10 s decision
 * deadline, commits every 100 ms, the default processing guarantee.
 *
 * @param broker the broker
 * @param network the network on it
 */
record TestNetwork(TestKafka broker, EmbeddedNetwork network) implements AutoCloseable {
  /** The MNIST model's folder. */
  static final Path MNIST = Path.of("..", "models", "mnist");

  /** The Fashion-MNIST model's folder. */
  static final Path FASHION = Path.of("..", "models", "fashion-mnist");

  /**
   * Starts a broker and the network on it, and waits until the network is ready.
   *
   * @return the running network
   * @throws IOException if the network's state folder cannot be created
   * @throws IllegalStateException if the network is not ready within 90 s
   */
  static TestNetwork start() throws IOException {
    TestKafka broker = TestKafka.start();
    try {
      EmbeddedNetwork network =
          EmbeddedNetwork.start(
              EmbeddedNetwork.Options.honest(
                  broker.bootstrapServers(),
                  3,
                  List.of(ModelSpec.load(MNIST), ModelSpec.load(FASHION)),
                  0,
                  3,
                  10_000,
                  100,
                  ConsensusConfig.DEFAULT_EXACTLY_ONCE),
              Duration.ofSeconds(90));
      return new TestNetwork(broker, network);
    } catch (IOException | RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /** Stops the network, then the broker. */
  @Override
  public void close() {
    network.close();
    broker.close();
  }

  /**
   * The network of one test class: registered as a static {@code @RegisterExtension} field, it
   * starts before the class's {@code @BeforeAll} methods and stops after its {@code @AfterAll}
   * ones.
   */
  static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private TestNetwork running;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
      running = start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
      if (running != null) {
        running.close();
        running = null;
      }
    }

    /**
     * The running network.
     *
     * @return the network
     */
    EmbeddedNetwork network() {
      return running.network();
    }

    /**
     * The address of a path on the network's API.
     *
     * @param path the path and query, e.g. {@code /api/summary}
     * @return {@code http://localhost:<port><path>}
     */
    URI uri(String path) {
      return URI.create("http://localhost:" + network().httpPort() + path);
    }
  }
}
