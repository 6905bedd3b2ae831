package dev.lanes.spark;

/** Whether Apache Spark is on the class path, checked before anything touches it. */
final class SparkPresence {

    private SparkPresence() {
    }

    /** @throws IllegalStateException naming what is missing and where it comes from */
    static void require() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, SparkPresence.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("SparkTrainer needs Apache Spark 4.2 or newer (org.apache.spark:"
                    + "spark-core_2.13) on the class path: spark-submit provides it; in a Maven build, add it with"
                    + " scope provided", e);
        }
    }
}
