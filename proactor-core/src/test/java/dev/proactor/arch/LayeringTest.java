package dev.proactor.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.proactor.ApiLayeringViolationFixture;
import dev.proactor.internal.nio.LayeringViolationFixture;
import dev.proactor.internal.select.Backends;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/ARCHITECTURE.md ("Packages and layers"), checked on the library's compiled
 * classes: a new import that crosses a layer fails the build, not only a review. Each rule also
 * fails when the packages it speaks of hold no class (ArchUnit's default), so a renamed package
 * cannot leave a rule checking nothing.
 */
class LayeringTest {

    private static final String API = "dev.proactor";
    private static final String SPI = "dev.proactor.internal.spi..";
    private static final String CORE = "dev.proactor.internal.core..";
    private static final String URING = "dev.proactor.internal.uring..";
    private static final String FFI = "dev.proactor.internal.uring.ffi..";
    private static final String NIO = "dev.proactor.internal.nio..";
    private static final String SELECT = "dev.proactor.internal.select..";
    private static final String BLOCKING = "dev.proactor.internal.blocking..";

    /**
     * The API reaches its implementation through {@code Backends.open} and {@code openGroup} (its
     * static factories must name one internal class), never a core class or a backend.
     */
    static final ArchRule API_NAMES_NO_IMPLEMENTATION = noClasses()
            .that().resideInAPackage(API)
            .should().dependOnClassesThat(resideInAPackage("dev.proactor.internal..")
                    .and(not(JavaClass.Predicates.belongToAnyOf(Backends.class))))
            .because("the API names no core class and no backend; " + Backends.class.getName() + " is its only way in");

    /** The core is given its backend; it never names one, nor the package that picks one. */
    static final ArchRule CORE_NAMES_NO_BACKEND = noClasses()
            .that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(URING, NIO, SELECT, BLOCKING)
            .because("the core gets its backend from a factory");

    /** The backend SPI is the contract between core and backends, so it depends on neither. */
    static final ArchRule SPI_NAMES_NO_SIDE = noClasses()
            .that().resideInAPackage(SPI)
            .should().dependOnClassesThat().resideInAnyPackage(CORE, URING, NIO, SELECT, BLOCKING);

    /** The blocking-call pool both backends share knows neither of them, nor the core. */
    static final ArchRule BLOCKING_USES_AT_MOST_THE_SPI = noClasses()
            .that().resideInAPackage(BLOCKING)
            .should().dependOnClassesThat().resideInAnyPackage(API, CORE, URING, NIO, SELECT)
            .because("internal.blocking depends on the JDK and at most the backend SPI");

    static final ArchRule URING_USES_ONLY_THE_SPI = noClasses()
            .that().resideInAPackage(URING)
            .should().dependOnClassesThat().resideInAnyPackage(CORE, NIO, SELECT)
            .because("a backend depends on the backend SPI and the shared blocking pool only");

    static final ArchRule NIO_USES_ONLY_THE_SPI = noClasses()
            .that().resideInAPackage(NIO)
            .should().dependOnClassesThat().resideInAnyPackage(CORE, URING, SELECT)
            .because("a backend depends on the backend SPI and the shared blocking pool only");

    /** Downcall handles and symbol lookups are made in one package, where each is declared once. */
    static final ArchRule ONLY_FFI_LINKS = noClasses()
            .that().resideOutsideOfPackage(FFI)
            .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.foreign.Linker")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.foreign.SymbolLookup")
            .because("internal.uring.ffi is the only package that touches the linker");

    private static final List<ArchRule> RULES = List.of(
            API_NAMES_NO_IMPLEMENTATION, CORE_NAMES_NO_BACKEND, SPI_NAMES_NO_SIDE,
            URING_USES_ONLY_THE_SPI, NIO_USES_ONLY_THE_SPI, BLOCKING_USES_AT_MOST_THE_SPI, ONLY_FFI_LINKS);

    private static JavaClasses library() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(API);
    }

    @Test
    void theLibraryKeepsItsLayers() {
        JavaClasses classes = library();
        assertThat(classes.contain(dev.proactor.internal.core.CoreProactor.class)).isTrue();
        assertThat(classes.contain(LayeringViolationFixture.class))
                .as("test classes are not part of the checked library")
                .isFalse();
        for (ArchRule rule : RULES) {
            rule.check(classes);
        }
    }

    @Test
    void aBackendThatNamesTheCoreIsReported() {
        // The fixture lives in the portable backend's package (test sources only) and names the core.
        JavaClasses classes = new ClassFileImporter().importClasses(
                LayeringViolationFixture.class, dev.proactor.internal.core.CoreProactor.class);
        assertThat(NIO_USES_ONLY_THE_SPI.evaluate(classes).hasViolation()).isTrue();
        assertThat(NIO_USES_ONLY_THE_SPI.evaluate(classes).getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line)
                        .contains(LayeringViolationFixture.class.getName())
                        .contains("CoreProactor"));
    }

    @Test
    void anApiClassThatNamesTheCoreIsReportedButItsEntryIsNot() {
        JavaClasses classes = new ClassFileImporter().importClasses(
                ApiLayeringViolationFixture.class, dev.proactor.internal.core.CoreProactor.class, Backends.class);
        List<String> details = API_NAMES_NO_IMPLEMENTATION.evaluate(classes).getFailureReport().getDetails();
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains(ApiLayeringViolationFixture.class.getName() + ".core()")
                .contains("CoreProactor"));
        assertThat(details).noneSatisfy(line -> assertThat(line).contains(".entry()"));
    }
}
