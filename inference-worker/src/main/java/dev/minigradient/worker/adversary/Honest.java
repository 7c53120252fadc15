package dev.minigradient.worker.adversary;

/** Runs the model and votes its answer, once, through the outbox: {@link Adversary}'s defaults. */
public final class Honest implements Adversary {}
