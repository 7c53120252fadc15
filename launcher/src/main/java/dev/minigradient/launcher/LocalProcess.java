package dev.minigradient.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process of a network on this machine: a {@code bin/} wrapper with its arguments, its standard
 * output and error appended to one log file. It can be stopped (SIGTERM, then SIGKILL after a grace
 * period), killed (SIGKILL) and started again with the same command and log.
 *
 * <p>Where {@code setsid} is installed the process runs in a session of its own, so a Ctrl-C in the
 * terminal reaches only the launcher, which stops its processes in order (clients before brokers).
 */
public final class LocalProcess {
  private static final Optional<Path> SETSID = onPath("setsid");

  private final String name;
  private final List<String> command;
  private final Path log;
  private final Map<String, String> environment;
  private Process process;
  private long logStart;
  private boolean stopping;
  private Consumer<LocalProcess> onUnexpectedExit = p -> {};

  /**
   * A process, not started yet.
   *
   * @param name its name, e.g. {@code peer-1}: its log is {@code <name>.log}
   * @param command the wrapper and its arguments
   * @param logDir the folder of its log
   * @param environment variables to set ({@code null} value: to remove) over this process's own
   */
  public LocalProcess(
      String name, List<String> command, Path logDir, Map<String, String> environment) {
    this.name = name;
    this.command = List.copyOf(command);
    this.log = logDir.resolve(name + ".log");
    this.environment = new HashMap<>(environment); // a null value: a variable removed
  }

  /**
   * Its name.
   *
   * @return e.g. {@code broker-1}
   */
  public String name() {
    return name;
  }

  /**
   * Its log file.
   *
   * @return the path
   */
  public Path log() {
    return log;
  }

  /**
   * The command it runs.
   *
   * @return the wrapper and its arguments
   */
  public List<String> command() {
    return command;
  }

  /**
   * Starts it, appending a line with the time and the command to its log, then its output.
   *
   * @throws IOException if it cannot be started
   * @throws IllegalStateException if it is running
   */
  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "--- " + Instant.now() + " starting " + String.join(" ", command) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    logStart = Files.size(log);
    List<String> cmd = new ArrayList<>();
    SETSID.ifPresent(s -> cmd.add(s.toString()));
    cmd.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    environment.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    Process started = pb.start();
    process = started;
    stopping = false;
    started
        .onExit()
        .thenRun(
            () -> {
              Consumer<LocalProcess> listener;
              synchronized (this) {
                if (stopping || process != started) {
                  return;
                }
                listener = onUnexpectedExit;
              }
              listener.accept(this);
            });
  }

  /**
   * What to do when it exits without {@link #stop} or {@link #kill} (it crashed, or something else
   * killed it); runs on a thread of its own.
   *
   * @param listener called with this process
   */
  public synchronized void onUnexpectedExit(Consumer<LocalProcess> listener) {
    onUnexpectedExit = listener;
  }

  /**
   * The operating system's id of the process last started.
   *
   * @return the pid
   * @throws IllegalStateException if it was never started
   */
  public synchronized long pid() {
    return started().pid();
  }

  /**
   * Whether it runs.
   *
   * @return true if started and not exited
   */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Its exit code.
   *
   * @return the code, or empty while it runs or before it started
   */
  public synchronized Optional<Integer> exitCode() {
    return process == null || process.isAlive()
        ? Optional.empty()
        : Optional.of(process.exitValue());
  }

  /**
   * Waits for a line of its output since its last start that matches.
   *
   * @param pattern what to look for, anywhere in a line
   * @param timeout how long to wait
   * @return the match
   * @throws IllegalStateException if it exits first (with the end of its log) or the time runs out
   * @throws IOException if the log cannot be read
   * @throws InterruptedException if interrupted
   */
  public Matcher awaitLine(Pattern pattern, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean alive = isAlive();
      for (String line : outputSinceStart()) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      if (!alive) {
        throw new IllegalStateException(
            name + " exited with " + exitCode().orElse(-1) + " before it was ready; " + tail(5));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not ready after " + timeout.toSeconds() + " s; " + tail(5));
      }
      Thread.sleep(100); // polling a file another process writes
    }
  }

  /**
   * Its output since its last start, line by line.
   *
   * @return the lines
   * @throws IOException if the log cannot be read
   */
  public List<String> outputSinceStart() throws IOException {
    long from;
    synchronized (this) {
      from = logStart;
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long length = f.length();
      if (length <= from) {
        return List.of();
      }
      byte[] bytes = new byte[(int) Math.min(length - from, 16 << 20)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
  }

  /**
   * The last lines of its log, for an error message.
   *
   * @param n how many
   * @return {@code its log <path> ends: line | line ...}
   */
  public String tail(int n) {
    List<String> lines;
    try {
      lines = outputSinceStart();
    } catch (IOException e) {
      return "its log " + log + " is unreadable: " + e.getMessage();
    }
    return "its log "
        + log
        + " ends: "
        + String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /**
   * Asks it to stop (SIGTERM) and kills it (SIGKILL) if it has not exited within the grace period;
   * nothing if it is not running.
   *
   * @param grace how long it may take to stop cleanly
   * @return true if it stopped within the grace period (or was not running), false if killed
   */
  public boolean stop(Duration grace) {
    Process p;
    synchronized (this) {
      p = process;
      stopping = true;
    }
    if (p == null || !p.isAlive()) {
      return true;
    }
    p.destroy();
    try {
      if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill();
    return false;
  }

  /** Kills it at once (SIGKILL), as a machine that loses power, and waits until it is gone. */
  public void kill() {
    Process p;
    synchronized (this) {
      p = process;
      stopping = true;
    }
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Process started() {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
    return process;
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
