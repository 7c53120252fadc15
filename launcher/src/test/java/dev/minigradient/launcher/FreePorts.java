package dev.minigradient.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for the tests that start Kafka nodes as processes of their own. */
final class FreePorts {
  private FreePorts() {}

  /**
   * A client port whose controller port ({@link LocalCluster#CONTROLLER_PORT_OFFSET} up) is free
   * too.
   *
   * @return the client port
   * @throws IOException if no socket can be opened
   * @throws IllegalStateException if 50 tries find no free pair
   */
  static int kafka() throws IOException {
    for (int i = 0; i < 50; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      if (port + LocalCluster.CONTROLLER_PORT_OFFSET > 65535) {
        continue;
      }
      try (ServerSocket s =
          new ServerSocket(
              port + LocalCluster.CONTROLLER_PORT_OFFSET, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free pair of ports");
  }
}
