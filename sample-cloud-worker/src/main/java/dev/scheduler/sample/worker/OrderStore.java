package dev.scheduler.sample.worker;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The orders, their outbox of pending notifications and their audit trail, in one database.
 *
 * <p>Implementation Overview: an order and its outbox row are written in one transaction, so an
 * accepted order is never without its pending notification, whatever crashes after. The outbox row
 * is claimed by one instance at a time for a lease: the instance that accepts an order claims it at
 * once, and a re-drive claims what is unclaimed or whose lease ran out with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED}, so that two instances re-driving together never take
 * the same row. Only the claimant may settle a row (mark the order notified or failed and delete the
 * row); a claimant whose lease was taken over finds nothing to settle.
 */
@Repository
public class OrderStore {

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    OrderStore(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * Stores {@code order} with its outbox row, claimed by {@code instance} until {@code leaseUntil}.
     *
     * @param order the validated order
     * @param placedAt when it was accepted
     * @param instance the claimant
     * @param leaseUntil the end of the claim
     * @return the new order's id
     */
    public long place(NewOrder order, Instant placedAt, String instance, Instant leaseUntil) {
        return transactions.execute(status -> {
            KeyHolder key = new GeneratedKeyHolder();
            jdbc.sql("INSERT INTO orders (customer, placed_at, notification) VALUES (?, ?, ?)")
                    .params(order.customer(), time(placedAt), NotificationState.PENDING.name())
                    .update(key, "id");
            long id = key.getKeyAs(Long.class);
            for (int line = 0; line < order.items().size(); line++) {
                NewOrder.Item item = order.items().get(line);
                jdbc.sql("INSERT INTO order_items (order_id, line, sku, quantity) VALUES (?, ?, ?, ?)")
                        .params(id, line, item.sku(), item.quantity()).update();
            }
            jdbc.sql("INSERT INTO outbox (order_id, claimed_by, claimed_until) VALUES (?, ?, ?)")
                    .params(id, instance, time(leaseUntil)).update();
            return id;
        });
    }

    /**
     * Finds an order.
     *
     * @param id its id
     * @return the order, if there is one
     */
    public Optional<Order> find(long id) {
        List<NewOrder.Item> items = jdbc.sql("SELECT sku, quantity FROM order_items WHERE order_id = ? ORDER BY line")
                .param(id).query((row, n) -> new NewOrder.Item(row.getString(1), row.getInt(2))).list();
        return jdbc.sql("SELECT id, customer, placed_at, notification, notify_attempts FROM orders WHERE id = ?")
                .param(id)
                .query((row, n) -> new Order(row.getLong(1), row.getString(2), items,
                        row.getObject(3, OffsetDateTime.class).toInstant(),
                        NotificationState.valueOf(row.getString(4)), row.getInt(5)))
                .optional();
    }

    /**
     * Claims up to {@code limit} pending orders that nobody holds, or whose claim ran out by
     * {@code now}, skipping rows another transaction is claiming.
     *
     * @param instance the claimant
     * @param now the claim time
     * @param leaseUntil the end of the new claims
     * @param limit how many at most
     * @return the claimed orders' ids, oldest first
     */
    public List<Long> claimPending(String instance, Instant now, Instant leaseUntil, int limit) {
        return transactions.execute(status -> {
            List<Long> ids = jdbc.sql("SELECT order_id FROM outbox WHERE claimed_until IS NULL OR claimed_until < ?"
                            + " ORDER BY order_id FETCH FIRST ? ROWS ONLY FOR UPDATE SKIP LOCKED")
                    .params(time(now), limit).query(Long.class).list();
            List<Long> claimed = new ArrayList<>();
            for (long id : ids) {
                if (jdbc.sql("UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE order_id = ?"
                                + " AND (claimed_until IS NULL OR claimed_until < ?)")
                        .params(instance, time(leaseUntil), id, time(now)).update() == 1) {
                    claimed.add(id);
                }
            }
            return claimed;
        });
    }

    /**
     * Extends {@code instance}'s claim of an order to {@code leaseUntil}, if it still holds it at
     * {@code now}.
     *
     * @param id the order
     * @param instance the claimant
     * @param now the time of the renewal
     * @param leaseUntil the new end of the claim
     * @return whether {@code instance} still held the claim, which now runs to {@code leaseUntil}
     */
    public boolean renewClaim(long id, String instance, Instant now, Instant leaseUntil) {
        return jdbc.sql("UPDATE outbox SET claimed_until = ? WHERE order_id = ? AND claimed_by = ? AND claimed_until >= ?")
                .params(time(leaseUntil), id, instance, time(now)).update() == 1;
    }

    /**
     * Gives back {@code instance}'s claim of one order, if it still holds it.
     *
     * @param id the order
     * @param instance the claimant
     */
    public void releaseClaim(long id, String instance) {
        jdbc.sql("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE order_id = ? AND claimed_by = ?")
                .params(id, instance).update();
    }

    /**
     * Counts one webhook call for an order.
     *
     * @param id the order
     */
    public void countAttempt(long id) {
        jdbc.sql("UPDATE orders SET notify_attempts = notify_attempts + 1 WHERE id = ?").param(id).update();
    }

    /**
     * Settles a claimed order: marks it {@code state} and removes its outbox row, if {@code instance}
     * still holds the claim.
     *
     * @param id the order
     * @param instance the claimant
     * @param state {@code NOTIFIED} or {@code NOTIFY_FAILED}
     * @return whether the claim was still held, so that this call settled it
     */
    public boolean settle(long id, String instance, NotificationState state) {
        return transactions.execute(status -> {
            int removed = jdbc.sql("DELETE FROM outbox WHERE order_id = ? AND claimed_by = ?")
                    .params(id, instance).update();
            if (removed == 0) {
                return false;
            }
            jdbc.sql("UPDATE orders SET notification = ? WHERE id = ?").params(state.name(), id).update();
            return true;
        });
    }

    /**
     * Gives back every claim of {@code instance}, so that another instance, or this one after a
     * restart, re-drives those orders at once rather than after the lease.
     *
     * @param instance the claimant
     * @return how many claims were given back
     */
    public int releaseClaims(String instance) {
        return jdbc.sql("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?")
                .param(instance).update();
    }

    /**
     * Appends to an order's audit trail.
     *
     * @param id the order
     * @param entry what happened
     * @param at when
     */
    public void audit(long id, String entry, Instant at) {
        jdbc.sql("INSERT INTO audit (order_id, entry, recorded_at) VALUES (?, ?, ?)").params(id, entry, time(at)).update();
    }

    /**
     * Reads an order's audit trail.
     *
     * @param id the order
     * @return its entries, oldest first
     */
    public List<String> auditTrail(long id) {
        return jdbc.sql("SELECT entry FROM audit WHERE order_id = ? ORDER BY id").param(id).query(String.class).list();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
