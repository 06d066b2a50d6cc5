package dev.scheduler.dispatch;

/** The portable dispatcher: the shared suite and priorities. */
class PortableDispatcherTest extends PooledDispatcherContract {

    @Override
    Dispatcher create(DispatcherOptions options) {
        return new PortableDispatcher(options);
    }
}
