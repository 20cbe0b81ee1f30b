// Static group membership (KIP-345) with Apache Kafka's Java client 3.9, against a real
// `sluice serve`. Run as a single-file program (JEP 330):
//
//   java -cp plugin.jar:/usr/share/java/slf4j-api.jar StaticMembers.java BOOTSTRAP SCENARIO
//
// SCENARIO is restart, close, fence or remove. Exit status 0 means the scenario's checks
// held; otherwise the last line on stderr says which check failed. Every wait is bounded.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.serialization.StringDeserializer;

public class StaticMembers {
    static final int SESSION_TIMEOUT_MS = 6000; // the broker's minimum
    static String bootstrap;

    /** One static member polled on its own thread; counts its rebalance callbacks. */
    static final class Member implements ConsumerRebalanceListener {
        final String instance;
        final KafkaConsumer<String, String> consumer;
        final AtomicInteger assigns = new AtomicInteger();
        final AtomicInteger revokes = new AtomicInteger();
        final AtomicReference<Set<Integer>> assigned = new AtomicReference<>(Set.of());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stopping;
        final Thread thread;

        Member(String group, String topic, String instance, int sessionTimeoutMs) {
            this.instance = instance;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
            p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30000);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, "org.apache.kafka.clients.consumer.RangeAssignor");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            thread = new Thread(() -> run(topic), "member-" + instance);
            thread.setDaemon(true);
            thread.start();
        }

        void run(String topic) {
            try {
                consumer.subscribe(List.of(topic), this);
                while (!stopping) consumer.poll(Duration.ofMillis(100));
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                // A static member's close sends no LeaveGroup.
                consumer.close(Duration.ofSeconds(10));
            }
        }

        @Override public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigns.incrementAndGet();
            assigned.set(partitions.stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new)));
        }

        @Override public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // The eager protocol calls this with nothing when nothing was owned yet, and
            // close() calls it for the closing member itself: count real revokes only.
            if (!partitions.isEmpty() && !stopping) revokes.incrementAndGet();
            assigned.set(Set.of());
        }

        void close() throws InterruptedException {
            stopping = true;
            thread.join(30_000);
            check(!thread.isAlive(), instance + ": did not close within 30 s");
        }
    }

    static void check(boolean condition, String what) {
        if (!condition) throw new AssertionError(what);
    }

    static void waitUntil(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(50);
        }
        check(condition.getAsBoolean(), "timed out after " + seconds + " s waiting for " + what);
    }

    static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    static ConsumerGroupDescription describe(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        }
    }

    static Set<String> instanceIds(ConsumerGroupDescription description) {
        return description.members().stream().map(m -> m.groupInstanceId().orElse("<none>")).collect(Collectors.toCollection(TreeSet::new));
    }

    static BooleanSupplier split(List<Member> members, int partitions) {
        return () -> {
            List<Integer> all = new ArrayList<>();
            for (Member m : members) {
                if (m.assigned.get().isEmpty()) return false;
                all.addAll(m.assigned.get());
            }
            all.sort(null);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < partitions; i++) expected.add(i);
            return all.equals(expected);
        };
    }

    static List<Member> threeMembers(String group, String topic) throws Exception {
        createTopic(topic, 6);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) members.add(new Member(group, topic, "pod-" + i, SESSION_TIMEOUT_MS));
        waitUntil(split(members, 6), 60, "three static members to split 6 partitions");
        return members;
    }

    /** One member restarts within its session: same partitions, no revoke anywhere. */
    static void restart() throws Exception {
        List<Member> members = threeMembers("java-static-restart", "java-restart");
        Map<String, Set<Integer>> before = members.stream().collect(Collectors.toMap(m -> m.instance, m -> m.assigned.get()));
        Map<String, Integer> assigns = members.stream().collect(Collectors.toMap(m -> m.instance, m -> m.assigns.get()));
        Map<String, Integer> revokes = members.stream().collect(Collectors.toMap(m -> m.instance, m -> m.revokes.get()));
        Member restarting = members.get(1);
        restarting.close();
        Member again = new Member("java-static-restart", "java-restart", restarting.instance, SESSION_TIMEOUT_MS);
        waitUntil(() -> !again.assigned.get().isEmpty(), 30, "the restarted member's assignment");
        check(again.assigned.get().equals(before.get(again.instance)),
              "the restarted member gets its partitions back: " + again.assigned.get() + " vs " + before.get(again.instance));
        Thread.sleep(2500); // several heartbeats: a rebalance would have reached the others
        for (Member m : List.of(members.get(0), members.get(2))) {
            check(m.revokes.get() == revokes.get(m.instance), m.instance + " saw a revoke");
            check(m.assigns.get() == assigns.get(m.instance), m.instance + " saw a new assignment");
            check(m.assigned.get().equals(before.get(m.instance)), m.instance + " lost partitions");
        }
        check(again.revokes.get() == 0 && again.assigns.get() == 1, "the restarted member is assigned once, never revoked");
        ConsumerGroupDescription d = describe("java-static-restart");
        check(d.state() == ConsumerGroupState.STABLE, "group state " + d.state());
        check(instanceIds(d).equals(Set.of("pod-0", "pod-1", "pod-2")), "instance ids " + instanceIds(d));
        members.get(0).close();
        members.get(2).close();
        again.close();
    }

    /** All three close: Empty after the session timeout + 1 s; DeleteGroups succeeds. */
    static void close() throws Exception {
        List<Member> members = threeMembers("java-static-close", "java-close");
        for (Member m : members) m.close();
        long closedAt = System.nanoTime();
        try (Admin admin = admin()) {
            try {
                admin.deleteConsumerGroups(List.of("java-static-close")).all().get();
                check(false, "DeleteGroups right after close must fail: static members sent no LeaveGroup");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof GroupNotEmptyException, "expected GroupNotEmptyException, got " + e.getCause());
            }
            long wait = closedAt + (SESSION_TIMEOUT_MS + 1000) * 1_000_000L - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000L);
            ConsumerGroupDescription d = describe("java-static-close");
            check(d.state() == ConsumerGroupState.EMPTY, "after session timeout + 1 s the group is " + d.state()
                  + " with " + d.members().size() + " members");
            admin.deleteConsumerGroups(List.of("java-static-close")).all().get();
        }
    }

    /** A second consumer with the same instance id fences the first. */
    static void fence() throws Exception {
        createTopic("java-dup", 2);
        Member first = new Member("java-static-dup", "java-dup", "pod-dup", SESSION_TIMEOUT_MS);
        waitUntil(() -> first.assigned.get().size() == 2, 60, "the first member's assignment");
        Member second = new Member("java-static-dup", "java-dup", "pod-dup", SESSION_TIMEOUT_MS);
        waitUntil(() -> second.assigned.get().size() == 2, 30, "the second member to take over the instance id");
        waitUntil(() -> first.failure.get() != null, 30, "the first member's poll to fail");
        check(first.failure.get() instanceof FencedInstanceIdException, "the first member must be fenced, got " + first.failure.get());
        check(second.failure.get() == null, "the second member keeps running: " + second.failure.get());
        check(instanceIds(describe("java-static-dup")).equals(Set.of("pod-dup")), "one member holds the instance id");
        second.close();
        first.close();
    }

    /** Admin removeMembersFromConsumerGroup by instance id removes a closed static member. */
    static void remove() throws Exception {
        createTopic("java-remove", 4);
        Member gone = new Member("java-static-remove", "java-remove", "pod-gone", 60000);
        Member stays = new Member("java-static-remove", "java-remove", "pod-stays", 60000);
        waitUntil(split(List.of(gone, stays), 4), 60, "two static members to split 4 partitions");
        gone.close();
        check(instanceIds(describe("java-static-remove")).equals(Set.of("pod-gone", "pod-stays")), "a closed static member stays");
        try (Admin admin = admin()) {
            MemberToRemove goneMember = new MemberToRemove("pod-gone");
            MemberToRemove unknown = new MemberToRemove("pod-never");
            RemoveMembersFromConsumerGroupResult result = admin.removeMembersFromConsumerGroup(
                "java-static-remove", new RemoveMembersFromConsumerGroupOptions(List.of(goneMember, unknown)));
            result.memberResult(goneMember).get();
            try {
                result.memberResult(unknown).get();
                check(false, "removing an unknown instance id must fail");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof UnknownMemberIdException, "expected UnknownMemberIdException, got " + e.getCause());
            }
        }
        check(instanceIds(describe("java-static-remove")).equals(Set.of("pod-stays")), "the removed member is gone at once");
        waitUntil(() -> stays.assigned.get().size() == 4, 30, "the remaining member to take every partition");
        stays.close();
    }

    public static void main(String[] args) throws Exception {
        bootstrap = args[0];
        switch (args[1]) {
            case "restart" -> restart();
            case "close" -> close();
            case "fence" -> fence();
            case "remove" -> remove();
            default -> throw new IllegalArgumentException("unknown scenario " + args[1]);
        }
        System.out.println("ok " + args[1]);
    }
}
