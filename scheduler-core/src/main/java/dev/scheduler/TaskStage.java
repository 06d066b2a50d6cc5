package dev.scheduler;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@link CompletionStage} side of a {@link Task}: every method hands its function to the task's
 * result, having noted that the outcome is observed. Async methods without an executor run their
 * function as a background task on the task's scheduler.
 *
 * @param <T> the result type
 */
abstract sealed class TaskStage<T> implements CompletionStage<T> permits Task {

    /** {@return the task's result, marked as observed: a dependent handles its outcome} */
    abstract CompletableFuture<T> dependent();

    /** {@return where async dependents without an executor run} */
    abstract Executor asyncExecutor();

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenApply(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenApplyAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenApplyAsync(fn, executor);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenAccept(action);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenAcceptAsync(action, executor);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenRun(action);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action) {
        Objects.requireNonNull(action, "action");
        return dependent().thenRunAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenRunAsync(action, executor);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCombine(other, fn);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCombineAsync(other, fn, asyncExecutor());
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenCombineAsync(other, fn, executor);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptBoth(other, action);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().thenAcceptBothAsync(other, action, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenAcceptBothAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterBoth(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterBothAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().runAfterBothAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().applyToEither(other, fn);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        return dependent().applyToEitherAsync(other, fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(
            CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().applyToEitherAsync(other, fn, executor);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().acceptEither(other, action);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().acceptEitherAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(
            CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().acceptEitherAsync(other, action, executor);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterEither(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        return dependent().runAfterEitherAsync(other, action, asyncExecutor());
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().runAfterEitherAsync(other, action, executor);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenCompose(fn);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().thenComposeAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(
            Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().thenComposeAsync(fn, executor);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().handle(fn);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().handleAsync(fn, asyncExecutor());
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().handleAsync(fn, executor);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        return dependent().whenComplete(action);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        return dependent().whenCompleteAsync(action, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(executor, "executor");
        return dependent().whenCompleteAsync(action, executor);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionally(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyAsync(fn, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().exceptionallyAsync(fn, executor);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyCompose(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        return dependent().exceptionallyComposeAsync(fn, asyncExecutor());
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(
            Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(executor, "executor");
        return dependent().exceptionallyComposeAsync(fn, executor);
    }
}
