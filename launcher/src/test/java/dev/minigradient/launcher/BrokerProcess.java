package dev.minigradient.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A Kafka node as its own OS process through {@code bin/broker}, for the process tests. */
final class BrokerProcess {
  private BrokerProcess() {}

  /**
   * A single node, not yet started.
   *
   * @param root the project's root (its {@code bin/} and packaged jar)
   * @param dir the node's data folder
   * @param port its client port (the controller's is {@code port + 100})
   * @param logs the folder its {@code broker-1.log} goes to
   * @return the process, named {@code broker-1}
   */
  static LocalProcess of(Path root, Path dir, int port, Path logs) {
    return new LocalProcess(
        "broker-1",
        List.of(
            root.resolve("bin/broker").toString(),
            "--dir",
            dir.toString(),
            "--kafka-port",
            Integer.toString(port)),
        logs,
        Map.of());
  }
}
