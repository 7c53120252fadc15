package dev.minigradient.protocol.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test support: follows a text stream (a Server-Sent Events response) line by line. */
public final class StreamLines {
  private StreamLines() {}

  /**
   * Reads {@code body}'s lines on a daemon thread until it ends or is closed.
   *
   * @param body the stream, UTF-8 text; close it to stop reading
   * @return the lines read so far, growing as more arrive (safe to read from any thread)
   */
  public static List<String> follow(InputStream body) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // closed by the test
              }
            },
            "stream-lines");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
