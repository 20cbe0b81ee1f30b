// A consume-transform-produce loop with the Java client 3.9: reads `in` as group `group`
// (read_committed), writes "copy:<value>" to `out` in transactions that also commit the
// consumed offsets (sendOffsetsToTransaction), until the group's committed offsets reach
// `total` records. The broker is killed and restarted under it: any failure closes the
// producer and consumer and starts over from the committed offsets (a new producer with
// the same transactional.id fences the old one and aborts its open transaction). Prints
// progress lines "copied N" and, at the end, "ok copied N restarts R".
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class CopyExactlyOnce {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], in = args[1], out = args[2], group = args[3], txnId = args[4];
        long total = Long.parseLong(args[5]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[6]) * 1000;
        int restarts = 0;
        while (System.currentTimeMillis() < deadline) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(bootstrap, group));
                 KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, txnId))) {
                producer.initTransactions();
                consumer.subscribe(List.of(in));
                while (System.currentTimeMillis() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        if (committedTotal(consumer, in) >= total) {
                            System.out.println("ok copied " + total + " restarts " + restarts);
                            return;
                        }
                        continue;
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, String> record : records) {
                        producer.send(new ProducerRecord<>(out, record.key(), "copy:" + record.value()));
                        offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    System.out.println("copied " + committedTotal(consumer, in));
                }
            } catch (Exception e) {
                restarts++;
                System.out.println("restart " + restarts + " after " + e);
                Thread.sleep(500);
            }
        }
        System.out.println("deadline passed");
        System.exit(1);
    }

    static long committedTotal(KafkaConsumer<String, String> consumer, String topic) {
        Set<TopicPartition> partitions = new HashSet<>();
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        long sum = 0;
        for (OffsetAndMetadata committed : consumer.committed(partitions, Duration.ofSeconds(10)).values()) {
            if (committed != null) sum += committed.offset();
        }
        return sum;
    }

    static Properties consumerProps(String bootstrap, String group) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", group);
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed");
        c.put("max.poll.records", "1000");
        c.put("default.api.timeout.ms", "15000");
        c.put("request.timeout.ms", "10000");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        return c;
    }

    static Properties producerProps(String bootstrap, String txnId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("transactional.id", txnId);
        p.put("transaction.timeout.ms", "20000");
        p.put("max.block.ms", "15000");
        p.put("request.timeout.ms", "10000");
        p.put("delivery.timeout.ms", "30000");
        p.put("linger.ms", "5");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        return p;
    }
}
