/**
 * The desktop sample: search-as-you-type over the files of a folder, a Swing window whose event
 * dispatch thread is the {@link dev.scheduler.ForegroundExecutor} and whose indexing and searching
 * run as background tasks on the operating system's dispatcher.
 */
package dev.scheduler.sample.desktop;
