// The Java client 3.9's side of the golden-wire capture (Tests/Golden/capture.py):
// produces, consumes in a group, commits with metadata, reads it back, and runs the
// admin calls Sluice implements. Every value is one the capture's checks know.
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.*;

public class GoldenClient {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1], group = args[2], metadata = args[3];
        Properties a = new Properties();
        a.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(a)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                .configs(Map.of("retention.ms", "86400000")))).all().get();
            admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get();
            admin.describeTopics(List.of(topic)).allTopicNames().get();
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (Producer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>(topic, 0, "k", "golden-" + i)).get();
        }
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", group);
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Consumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen < 3 && System.currentTimeMillis() < deadline) seen += consumer.poll(Duration.ofMillis(200)).count();
            if (seen < 3) throw new IllegalStateException("read " + seen + " of 3 records");
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(42, metadata)));
            OffsetAndMetadata back = consumer.committed(Set.of(tp)).get(tp);
            System.out.println("committed " + back.offset() + " metadata " + back.metadata());
        }
        try (Admin admin = Admin.create(a)) {
            admin.listConsumerGroups().all().get();
            admin.describeConsumerGroups(List.of(group)).all().get();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
    }
}
