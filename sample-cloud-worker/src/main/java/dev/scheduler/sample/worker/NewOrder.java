package dev.scheduler.sample.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /orders}.
 *
 * @param customer who orders; 1 to 100 characters
 * @param items what; 1 to 100 lines
 */
public record NewOrder(
        @NotBlank @Size(max = 100) String customer,
        @NotEmpty @Size(max = 100) List<@NotNull @Valid Item> items) {

    /**
     * One line of an order.
     *
     * @param sku the article; 1 to 64 characters
     * @param quantity how many; 1 to 10,000
     */
    public record Item(@NotBlank @Size(max = 64) String sku, @NotNull @Positive @Max(10_000) Integer quantity) {
    }
}
