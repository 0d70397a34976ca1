/** JMH benchmarks. */
package dev.proactor.bench;
