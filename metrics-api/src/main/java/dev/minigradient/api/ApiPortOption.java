package dev.minigradient.api;

import picocli.CommandLine.Option;

/** The HTTP API's port, for every command that serves it (a picocli mixin). */
public final class ApiPortOption {
  @Option(
      names = "--port",
      defaultValue = "${env:MG_API_PORT:-8000}",
      description =
          "HTTP port of the API; 0 picks a free one (env MG_API_PORT; default: ${DEFAULT-VALUE}).")
  int port;

  /**
   * The port to listen on.
   *
   * @return 0..65535 as given, 0 for any free port
   */
  public int port() {
    return port;
  }
}
