// Kafka topic configs with Apache Kafka's Java client 3.9, against a real `sluice serve`.
// Run as a single-file program (JEP 330):
//
//   java -cp plugin.jar:/usr/share/java/slf4j-api.jar TopicConfigs.java BOOTSTRAP
//
// Admin.createTopics with configs Sluice stores without acting on (as Kafka Connect,
// Strimzi and Terraform set them) succeeds; describeConfigs reports them as
// DYNAMIC_TOPIC_CONFIG with Kafka's types and the rest of the catalogue with their
// defaults; incrementalAlterConfigs APPENDs to a list config; a misspelt config is
// refused with INVALID_CONFIG and a message naming it. Exit status 0 means every check
// held; otherwise the last line on stderr says which failed. Every wait is bounded.

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;

public class TopicConfigs {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what);
            System.exit(1);
        }
    }

    static Config describe(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        DescribeConfigsOptions options = new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true);
        return admin.describeConfigs(List.of(resource), options).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(p)) {
            Map<String, String> set = Map.of(
                    "delete.retention.ms", "3600000",
                    "min.cleanable.dirty.ratio", "0.25",
                    "compression.type", "zstd",
                    "preallocate", "true",
                    "message.timestamp.difference.max.ms", "86400000");
            NewTopic topic = new NewTopic("java-configs", 2, (short) 1).configs(set);
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            System.out.println("created java-configs with " + set.keySet());

            Config config = describe(admin, "java-configs");
            for (Map.Entry<String, String> e : set.entrySet()) {
                ConfigEntry entry = config.get(e.getKey());
                check(entry != null, e.getKey() + " is described");
                check(e.getValue().equals(entry.value()), e.getKey() + " = " + entry.value() + ", wanted " + e.getValue());
                check(entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
                        e.getKey() + " source " + entry.source() + ", wanted DYNAMIC_TOPIC_CONFIG");
                check(!entry.isDefault(), e.getKey() + " is not a default");
            }
            check(config.get("delete.retention.ms").type() == ConfigEntry.ConfigType.LONG, "delete.retention.ms is LONG");
            check(config.get("min.cleanable.dirty.ratio").type() == ConfigEntry.ConfigType.DOUBLE, "min.cleanable.dirty.ratio is DOUBLE");
            check(config.get("preallocate").type() == ConfigEntry.ConfigType.BOOLEAN, "preallocate is BOOLEAN");
            check(config.get("compression.type").type() == ConfigEntry.ConfigType.STRING, "compression.type is STRING");

            // Unset catalogue entries are reported with Kafka's defaults.
            ConfigEntry downconversion = config.get("message.downconversion.enable");
            check(downconversion != null && "true".equals(downconversion.value())
                    && downconversion.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG, "message.downconversion.enable default: " + downconversion);
            ConfigEntry cleanup = config.get("cleanup.policy");
            check(cleanup != null && "delete".equals(cleanup.value()) && cleanup.type() == ConfigEntry.ConfigType.LIST,
                    "cleanup.policy default: " + cleanup);
            Collection<ConfigEntry> all = config.entries();
            check(all.size() >= 36, "the whole catalogue is described, got " + all.size() + " entries");
            System.out.println("described " + all.size() + " configs");

            // APPEND to a list config starts from its default, as Kafka's does.
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "java-configs");
            AlterConfigOp append = new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(append))).all().get(30, TimeUnit.SECONDS);
            String policy = describe(admin, "java-configs").get("cleanup.policy").value();
            check("delete,compact".equals(policy), "cleanup.policy after APPEND compact: " + policy);

            // A misspelt config is refused, naming it; the topic is not created.
            try {
                NewTopic typo = new NewTopic("java-typo", 1, (short) 1).configs(Map.of("retention.msx", "1000"));
                admin.createTopics(List.of(typo)).all().get(30, TimeUnit.SECONDS);
                check(false, "retention.msx must be refused");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof InvalidConfigurationException, "refusal is InvalidConfigurationException: " + e.getCause());
                String message = e.getCause().getMessage();
                check(message.contains("unknown topic config 'retention.msx'") && message.contains("did you mean 'retention.ms'"),
                        "message names the config: " + message);
                System.out.println("refused: " + message.substring(0, Math.min(120, message.length())));
            }
            check(!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("java-typo"), "java-typo was not created");

            // A value out of range is refused, naming value and range.
            try {
                NewTopic bad = new NewTopic("java-bad", 1, (short) 1).configs(Map.of("min.cleanable.dirty.ratio", "1.5"));
                admin.createTopics(List.of(bad)).all().get(30, TimeUnit.SECONDS);
                check(false, "min.cleanable.dirty.ratio=1.5 must be refused");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof InvalidConfigurationException, "refusal is InvalidConfigurationException: " + e.getCause());
                check(e.getCause().getMessage().contains("min.cleanable.dirty.ratio: must be between 0.0 and 1.0, got 1.5"),
                        "message names value and range: " + e.getCause().getMessage());
            }
        }
        System.out.println("ok topic-configs");
    }
}
