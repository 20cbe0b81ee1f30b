// Commits each value given (base64, one partition each) as offset metadata with the Java
// client 3.9, reads the commits back with committed() and prints "index base64" lines.
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class CommitMetadata {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1], group = args[2];
        List<String> values = new ArrayList<>();
        for (int i = 3; i < args.length; i++) values.add(new String(Base64.getDecoder().decode(args[i]), StandardCharsets.UTF_8));
        Properties a = new Properties();
        a.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(a)) {
            admin.createTopics(List.of(new NewTopic(topic, values.size(), (short) 1))).all().get();
        }
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", group);
        c.put("enable.auto.commit", "false");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (int i = 0; i < values.size(); i++) commits.put(new TopicPartition(topic, i), new OffsetAndMetadata(100 + i, values.get(i)));
        try (Consumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.commitSync(commits);
            Map<TopicPartition, OffsetAndMetadata> back = consumer.committed(commits.keySet());
            for (int i = 0; i < values.size(); i++) {
                OffsetAndMetadata got = back.get(new TopicPartition(topic, i));
                System.out.println(i + " " + got.offset() + " "
                    + Base64.getEncoder().encodeToString(got.metadata().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
