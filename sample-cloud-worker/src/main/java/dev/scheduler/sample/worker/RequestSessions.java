package dev.scheduler.sample.worker;

import dev.scheduler.SessionId;
import dev.scheduler.cloud.WorkerExecutionContext;
import dev.scheduler.cloud.WorkerSession;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes every request a session: opened before the handler runs, ended when the response is done,
 * which for an asynchronous handler (one returning a {@code Task} or another
 * {@code CompletionStage}) is when the async request completes. Every task the handler spawns, and
 * every task those spawn, belongs to the session.
 *
 * <p>If the handler fails after calling {@code passThrough()}, the request falls through to the
 * origin: here, a fixed fallback answer.
 */
final class RequestSessions extends OncePerRequestFilter {

    static final String ORIGIN_FALLBACK = "served by the origin: the worker failed and passed the request through";

    private final WorkerExecutionContext platform;

    RequestSessions(WorkerExecutionContext platform) {
        this.platform = platform;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        SessionId session = platform.createSession();
        boolean endsLater = false;
        try {
            // Scoped to this call: a server thread switches sessions from one request to the next,
            // and a test that drives requests from tasks (MockMvc under the TestScheduler) nests them.
            inSession(session, request, response, chain);
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new EndsSession(session));
                endsLater = true;
            }
        } catch (ServletException | IOException | RuntimeException failure) {
            if (!passesThrough(session) || response.isCommitted()) {
                throw failure;
            }
            response.resetBuffer();
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.TEXT_PLAIN_VALUE);
            response.getWriter().write(ORIGIN_FALLBACK);
        } finally {
            if (!endsLater) {
                platform.endSession(session);
            }
        }
    }

    private void inSession(SessionId session, HttpServletRequest request, HttpServletResponse response,
            FilterChain chain) throws ServletException, IOException {
        try {
            platform.withSession(session, () -> {
                try {
                    chain.doFilter(request, response);
                } catch (ServletException | IOException e) {
                    throw new CheckedFailure(e);
                }
            });
        } catch (CheckedFailure wrapped) {
            if (wrapped.getCause() instanceof ServletException servlet) {
                throw servlet;
            }
            throw (IOException) wrapped.getCause();
        }
    }

    /** Carries the filter chain's checked exception out of {@code withSession}. */
    private static final class CheckedFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        CheckedFailure(Exception cause) {
            super(cause);
        }
    }

    private boolean passesThrough(SessionId session) {
        return platform.findSession(session).map(WorkerSession::passesThrough).orElse(false);
    }

    /** Ends the session of an asynchronous request once the request is over, however it ends. */
    private final class EndsSession implements AsyncListener {

        private final SessionId session;

        EndsSession(SessionId session) {
            this.session = session;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end();
        }

        @Override
        public void onError(AsyncEvent event) {
            end();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }

        private void end() {
            if (platform.findSession(session).isPresent()) {
                platform.endSession(session);
            }
        }
    }
}
