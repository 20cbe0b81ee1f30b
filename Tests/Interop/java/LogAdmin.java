// DeleteRecords, DescribeLogDirs and DescribeCluster with Apache Kafka's Java client 3.9,
// against a real `sluice serve`. Run as a single-file program (JEP 330):
//
//   java -cp plugin.jar:/usr/share/java/slf4j-api.jar LogAdmin.java BOOTSTRAP DATA_DIR
//
// Produces 50 records to java-logadmin-0, deletes the records before 20 with
// Admin.deleteRecords (low watermark 20), then a consumer from the beginning starts at
// 20; describeLogDirs names DATA_DIR with the partition's size and the disk's bytes;
// describeCluster reports the cluster id, controller and this broker. Prints
// "ok log-admin" when every check held; otherwise the last line on stderr says which
// failed. Every wait is bounded.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class LogAdmin {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what);
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String dataDir = args[1];
        String topic = "java-logadmin";
        TopicPartition tp = new TopicPartition(topic, 0);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                for (int i = 0; i < 50; i++) producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
                producer.flush();
            }

            // deleteRecords: the low watermark moves to 20; a second call before 10 leaves it.
            DeletedRecords deleted = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(20)))
                    .lowWatermarks().get(tp).get(30, TimeUnit.SECONDS);
            check(deleted.lowWatermark() == 20, "deleteRecords low watermark 20, got " + deleted.lowWatermark());
            DeletedRecords again = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(10)))
                    .lowWatermarks().get(tp).get(30, TimeUnit.SECONDS);
            check(again.lowWatermark() == 20, "the low watermark never moves back, got " + again.lowWatermark());
            try {
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(51))).lowWatermarks().get(tp).get(30, TimeUnit.SECONDS);
                check(false, "deleteRecords past the high watermark must fail");
            } catch (java.util.concurrent.ExecutionException e) {
                check(e.getCause() instanceof OffsetOutOfRangeException, "past the high watermark: OffsetOutOfRange, got " + e.getCause());
            }
            System.out.println("deleteRecords low watermark " + deleted.lowWatermark());

            // A consumer from the beginning starts at the new log start.
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                check(consumer.beginningOffsets(List.of(tp)).get(tp) == 20L, "beginningOffsets is 20");
                List<Long> offsets = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (offsets.size() < 30 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) offsets.add(r.offset());
                }
                check(offsets.size() == 30, "30 records from the beginning, got " + offsets.size());
                check(offsets.get(0) == 20L && offsets.get(29) == 49L, "records 20..49, got " + offsets.get(0) + ".." + offsets.get(29));
                check(consumer.position(tp) == 50L, "position 50");
            }

            // describeLogDirs: the data directory with the partition's size and the disk's bytes.
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            int nodeId = nodes.iterator().next().id();
            Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(nodeId)).descriptions().get(nodeId)
                    .get(30, TimeUnit.SECONDS);
            check(dirs.size() == 1 && dirs.containsKey(dataDir), "one log dir " + dataDir + ", got " + dirs.keySet());
            LogDirDescription dir = dirs.get(dataDir);
            check(dir.error() == null, "log dir error " + dir.error());
            ReplicaInfo replica = dir.replicaInfos().get(tp);
            check(replica != null && replica.size() > 0, "the partition's size is reported, got " + replica);
            check(replica.offsetLag() == 0 && !replica.isFuture(), "offset lag 0, not future");
            check(dir.totalBytes().isPresent() && dir.usableBytes().isPresent(), "total and usable bytes (v4)");
            check(dir.usableBytes().getAsLong() <= dir.totalBytes().getAsLong() && dir.totalBytes().getAsLong() > 0,
                  "usable <= total, got " + dir.usableBytes() + " / " + dir.totalBytes());
            System.out.println("describeLogDirs " + dataDir + " " + tp + " size " + replica.size());

            // describeCluster: cluster id, controller, this broker; authorized operations when asked.
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true));
            String clusterId = cluster.clusterId().get(30, TimeUnit.SECONDS);
            Node controller = cluster.controller().get(30, TimeUnit.SECONDS);
            Collection<Node> brokers = cluster.nodes().get(30, TimeUnit.SECONDS);
            check(clusterId != null && !clusterId.isEmpty(), "cluster id");
            check(brokers.size() == 1, "one broker, got " + brokers);
            check(controller != null && controller.id() == nodeId, "controller is this broker, got " + controller);
            check(cluster.authorizedOperations().get(30, TimeUnit.SECONDS) != null, "authorized operations when asked");
            DescribeClusterResult plain = admin.describeCluster();
            check(plain.authorizedOperations().get(30, TimeUnit.SECONDS) == null, "no authorized operations when not asked");
            System.out.println("describeCluster " + clusterId + " controller " + controller.id() + " brokers " + brokers.size());
        }
        System.out.println("ok log-admin");
    }
}
