// Client quotas with Apache Kafka's Java client 3.9 against a real `sluice serve`. Run as a
// single-file program (JEP 330):
//
//   java -cp plugin.jar:/usr/share/java/slf4j-api.jar ClientQuotas.java BOOTSTRAP TOPIC SECONDS
//
// Admin.alterClientQuotas sets producer_byte_rate 102400 (100 KB/s) for client id
// quota-slow a default-user
// request_percentage, and a validate-only quota that must not be stored; describeClientQuotas
// checks exact, default and strict filters. Then a producer with client id quota-slow and
// one with quota-fast each send 10 KB records as fast as they can for SECONDS and print
// "rate CLIENT BYTES ELAPSED_MS THROTTLE_MAX_MS". Prints "ok client-quotas" when every check
// held; otherwise the last line on stderr says which failed. Every wait is bounded.

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ClientQuotas {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what);
            System.exit(1);
        }
    }

    static ClientQuotaEntity entity(String type, String name) {
        Map<String, String> parts = new HashMap<>();
        parts.put(type, name);
        return new ClientQuotaEntity(parts);
    }

    static ClientQuotaAlteration set(ClientQuotaEntity entity, String key, double value) {
        return new ClientQuotaAlteration(entity, List.of(new ClientQuotaAlteration.Op(key, value)));
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1];
        long seconds = Long.parseLong(args[2]);
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            admin.alterClientQuotas(List.of(
                set(entity(ClientQuotaEntity.CLIENT_ID, "quota-slow"), "producer_byte_rate", 102400),
                set(entity(ClientQuotaEntity.CLIENT_ID, "quota-kp"), "producer_byte_rate", 102400),
                set(entity(ClientQuotaEntity.USER, null), "request_percentage", 400))).all().get(30, TimeUnit.SECONDS);
            admin.alterClientQuotas(List.of(set(entity(ClientQuotaEntity.CLIENT_ID, "quota-never"), "producer_byte_rate", 5)),
                new AlterClientQuotasOptions().validateOnly(true)).all().get(30, TimeUnit.SECONDS);
            Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get(30, TimeUnit.SECONDS);
            check(all.size() == 3, "three entities, the validate-only one not stored: " + all);
            Map<ClientQuotaEntity, Map<String, Double>> slow = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(
                List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, "quota-slow")))).entities().get(30, TimeUnit.SECONDS);
            check(slow.equals(Map.of(entity(ClientQuotaEntity.CLIENT_ID, "quota-slow"), Map.of("producer_byte_rate", 102400.0))),
                "an exact strict filter finds quota-slow: " + slow);
            Map<ClientQuotaEntity, Map<String, Double>> users = admin.describeClientQuotas(ClientQuotaFilter.contains(
                List.of(ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.USER)))).entities().get(30, TimeUnit.SECONDS);
            check(users.equals(Map.of(entity(ClientQuotaEntity.USER, null), Map.of("request_percentage", 400.0))),
                "the default user's quota: " + users);
        }
        for (String clientId : List.of("quota-slow", "quota-fast")) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            props.put(ProducerConfig.ACKS_CONFIG, "1");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "1048576");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            byte[] value = new byte[10_000];
            long sent = 0;
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                    producer.send(new ProducerRecord<>(topic, value));
                    sent += value.length;
                }
                producer.flush();
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                double throttleMax = 0;
                for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
                    if (metric.getKey().name().equals("produce-throttle-time-max") && metric.getKey().group().equals("producer-metrics")) {
                        Object v = metric.getValue().metricValue();
                        if (v instanceof Double d && !d.isNaN()) throttleMax = d;
                    }
                }
                System.out.println("rate " + clientId + " " + sent + " " + elapsedMs + " " + (long) throttleMax);
            }
        }
        System.out.println("ok client-quotas");
    }
}
