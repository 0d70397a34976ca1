/**
 * The backend SPI between the core and the backends: {@code Backend} (start, submit, cancel, run
 * once, wake up, close), {@code Request} (every operation is one record of this sealed interface, and each
 * backend answers it in an exhaustive {@code switch}, so a new operation does not compile until
 * every backend handles it), {@code Submission} (what the backend hands back with each completion)
 * and {@code Completions} (how it reports them: complete, fail, timed out or cancelled, then
 * released when the kernel is done with the round's memory; {@code Completions.next} for each item
 * of a multishot request that stays armed). Backends depend
 * on this package only, never on the core or on each other. {@code Errno} holds the errno numbers
 * both backends report.
 */
package dev.proactor.internal.spi;
