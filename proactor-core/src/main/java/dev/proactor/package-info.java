/** The public API of Proactor. */
package dev.proactor;
