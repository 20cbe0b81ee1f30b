// Incremental fetch sessions (KIP-227) with Apache Kafka's Java client 3.9, against a real
// `sluice serve`. Run as a single-file program (JEP 330):
//
//   java -cp plugin.jar:/usr/share/java/slf4j-api.jar FetchSessions.java BOOTSTRAP TOPIC PARTITIONS
//
// Creates TOPIC with PARTITIONS partitions, produces 10 records to each, and consumes them
// with one consumer assigned every partition (the client opens a fetch session when the
// broker returns a session id, and then sends incremental fetches). Then produces 10 more
// to each partition while that consumer keeps polling. Every record must arrive exactly
// once, in offset order per partition. Prints "consumed N" and waits for a line on stdin
// (the test reads the broker's session metrics meanwhile) before closing; then "ok".
// Exit status 0 means every check held; otherwise the last line on stderr says which
// failed. Every wait is bounded.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class FetchSessions {
    static final int PER_ROUND = 10;

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what);
            System.exit(1);
        }
    }

    static void produce(String bootstrap, String topic, int partitions, int round) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int partition = 0; partition < partitions; partition++) {
                for (int i = 0; i < PER_ROUND; i++) {
                    int n = round * PER_ROUND + i;
                    producer.send(new ProducerRecord<>(topic, partition, "k", partition + ":" + n));
                }
            }
            producer.flush();
        }
    }

    /// Polls until `target` records in all (bounded), checking each is the next of its partition.
    static int consume(KafkaConsumer<String, String> consumer, Map<Integer, Integer> next, int seen, int target) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen < target && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                int expected = next.getOrDefault(record.partition(), 0);
                check(record.offset() == expected, "partition " + record.partition() + ": offset " + record.offset()
                        + " arrived where " + expected + " was next (a record lost or repeated)");
                check(record.value().equals(record.partition() + ":" + expected),
                        "partition " + record.partition() + " offset " + expected + " holds " + record.value());
                next.put(record.partition(), expected + 1);
                seen++;
            }
        }
        check(seen == target, "consumed " + seen + " of " + target + " records within 120 s");
        return seen;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(a)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        produce(bootstrap, topic, partitions, 0);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        // Small responses so that a round takes several fetches of the session.
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "4096");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> all = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) all.add(new TopicPartition(topic, partition));
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<Integer, Integer> next = new HashMap<>();
            int seen = consume(consumer, next, 0, partitions * PER_ROUND);
            produce(bootstrap, topic, partitions, 1);
            seen = consume(consumer, next, seen, 2 * partitions * PER_ROUND);
            // Nothing more arrives (a repeat would show here).
            check(consumer.poll(Duration.ofMillis(1000)).isEmpty(), "records after all were read");
            for (int partition = 0; partition < partitions; partition++) {
                check(next.getOrDefault(partition, 0) == 2 * PER_ROUND, "partition " + partition + " read to " + next.get(partition));
            }
            System.out.println("consumed " + seen);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            in.readLine();
        }
        System.out.println("ok");
    }
}
