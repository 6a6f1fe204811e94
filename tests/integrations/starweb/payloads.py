"""Starweb-shaped JSON answers for the client tests, with the field names of the 2.12 spec.

Unset optional fields are ``null`` as the real API sends them; included children are wrapped in
``{"data": ...}``; paged lists carry ``meta.pagination`` in snake_case.
"""

from __future__ import annotations

import math
from typing import Any

Json = dict[str, Any]


def item(data: Any) -> Json:
    return {"data": data}


def collection(items: list[Any]) -> Json:
    return {"data": items}


def page(items: list[Any], number: int, total: int, per_page: int = 100) -> Json:
    return {"data": items, "meta": {"pagination": {
        "current_page": number, "per_page": per_page, "total": total, "count": len(items),
        "total_pages": max(1, math.ceil(total / per_page)),
    }}}


def error(code: str, description: str) -> Json:
    return {"error": code, "error_description": description}


def token(access_token: str = "tok-1", expires_in: int = 3600) -> Json:
    return {"access_token": access_token, "scope": "", "expires_in": expires_in}


def address(**overrides: Any) -> Json:
    return {"companyName": None, "firstName": "Karin", "lastName": "Lindqvist", "careOf": None,
            "attention": None, "reference": None, "address": "Storgatan 12", "postalCode": "214 31",
            "city": "Malmö", "state": None, "countryCode": "SE", "phoneNo": "+46406020900",
            "mobilePhoneNo": None, **overrides}


def order_item(item_id: int = 1, sku: str = "POLE-CF-120", quantity: int = 2, **overrides: Any) -> Json:
    return {"itemId": item_id, "sku": sku, "description": "Vandringsstav Kolfiber 120 cm", "quantity": quantity,
            "unitSymbol": "st", "unitPrice": 311.2, "vatRate": 25, "discount": 0, "discountType": "percent",
            "sortIndex": 0, **overrides}


def order_status(status_id: int = 1, id_code: str | None = "created", name: str = "Mottagen",
                 should_send_email: bool = True) -> Json:
    return {"statusId": status_id, "idCode": id_code, "shouldSendEmail": should_send_email,
            "languages": {"data": [{"langCode": "sv", "name": name}, {"langCode": "en", "name": f"{name} (en)"}]}}


def order(order_id: int = 101, *, with_includes: bool = False, **overrides: Any) -> Json:
    body: Json = {
        "orderId": order_id, "createdAt": "2024-05-02T10:15:00+02:00", "modifiedAt": "2024-05-02T11:00:00+02:00",
        "customerId": 55, "statusId": 1, "sendEmailsOnStatusChange": True, "stockLocationId": None,
        "shippingMethodId": 3, "shippingMethodName": "PostNord Parcel", "shippingMethodExternalId": None,
        "shippingCost": 49, "shippingVatRate": 25, "paymentMethodId": 1, "paymentMethodIdCode": "klarna_checkout",
        "paymentMethodName": "Klarna", "paymentMethodExternalId": None, "paymentFee": 0, "paymentVatRate": 25,
        "paymentReference": "KL-88123", "paymentStatus": "reserved", "amountPaid": 778,
        "amountPaidInBaseCurrency": 778, "totalAmount": 622.4, "totalVat": 155.6, "amountToPay": 778,
        "totalAmountInBaseCurrency": 622.4, "totalVatInBaseCurrency": 155.6, "amountToPayInBaseCurrency": 778,
        "baseCurrencyCode": "SEK", "shopCountryCode": "SE", "currencyCode": "SEK", "currencyExchangeRate": 1,
        "currencyPrecision": 2, "langCode": "sv", "totalWeight": 0.42, "customInfo1": None, "customInfo2": None,
        "customInfo3": None, "customInfo4": None, "discountCode": None, "isComplete": True, "isRead": False,
        "hasComments": False, "internalComment": None, "shippingTrackerType": None, "shippingTrackingNo": None,
        "originalCustomerEmail": "karin.lindqvist@example.se", "originalCustomerNationalIdNo": None,
        "originalCustomerVatNo": None, "originalCustomerCustomInfo1": None, "originalCustomerCustomInfo2": None,
        "externalId": None, "externalIdType": None,
    }
    if with_includes:
        body["items"] = {"data": [order_item(1), order_item(2, sku="TENT-2P", quantity=1)]}
        body["addresses"] = {"data": {
            "originalInvoice": address(), "originalDelivery": address(address="Hamngatan 3", city="Lund"),
            "customerInvoice": None, "customerDelivery": None, "paymentMethodInvoice": None,
            "paymentMethodDelivery": None,
        }}
        body["status"] = {"data": order_status()}
    return {**body, **overrides}


def comment(comment_id: int = 1, text: str = "Lämna vid dörren", author: str = "customer") -> Json:
    return {"commentId": comment_id, "createdAt": "2024-05-02T10:16:00+02:00", "text": text, "from": author}


def variant(variant_id: int = 1, sku: str | None = "POLE-CF-120", stock: int | None = 40, **overrides: Any) -> Json:
    return {"variantId": variant_id, "sku": sku, "externalId": None, "externalIdType": None, "isActive": True,
            "sortIndex": 0, "stockStatusId": 1, "stockQuantity": stock, "weightInKg": 0.21, "costPrice": "120.50",
            "ean": "7350001000012", "mpn": "KF-120", "imageFileId": None, "attributeValueLinks": [],
            "volumePricingInheritancePricelistIds": [], **overrides}


def product(product_id: int = 1, name: str = "Vandringsstav Kolfiber", sku: str = "POLE-CF-120",
            **overrides: Any) -> Json:
    return {"productId": product_id, "externalId": None, "externalIdType": None,
            "createdAt": "2024-01-10T09:00:00+01:00", "modifiedAt": "2024-05-01T08:30:00+02:00",
            "defaultVatRate": "25", "visibility": "visible", "visibilityPricelistIds": [], "moreInfoUrl": None,
            "manufacturerId": None, "unitId": None, "sortIndex": None, "type": "basic",
            "isBackInStockWatchable": True, "priceMode": "normal", "accounting": None,
            "hasSeveralVariants": False,
            "primaryVariant": {"data": variant(product_id, sku)},
            "languages": {"data": [{"langCode": "sv", "name": name, "shortDescription": None,
                                    "permalink": None}]},
            **overrides}


def shipping_method(method_id: int = 3, name: str = "PostNord Parcel", external_id: str | None = None) -> Json:
    return {"shippingMethodId": method_id, "externalId": external_id, "active": True, "validForCountries": "all",
            "validCountriesSelected": [], "validForMinItemsSubtotal": None, "validForMaxItemsSubtotal": None,
            "validForMinWeight": None, "validForMaxWeight": None, "validForCustomerType": None,
            "freeShippingMinItemsSubtotal": None, "freeShippingMinWeight": None, "isClickAndCollect": False,
            "languages": {"data": [{"langCode": "sv", "name": name, "title": name, "shortDescription": None}]}}


def payment_method(method_id: int = 1, id_code: str = "klarna_checkout", name: str = "Klarna") -> Json:
    return {"paymentMethodId": method_id, "idCode": id_code, "externalId": None, "active": True, "fee": 0,
            "validForCountries": "all", "validCountriesSelected": [], "validForShippingMethods": "all",
            "isClickAndCollect": False,
            "languages": {"data": [{"langCode": "sv", "name": name, "title": name, "shortDescription": None}]}}


def web_hook(web_hook_id: int = 1, **overrides: Any) -> Json:
    return {"webHookId": web_hook_id, "name": "Order status changed", "event": "order-status-changed",
            "statusId": 3, "url": "https://connector.example/hooks/starweb", **overrides}


def shop() -> Json:
    return {"name": "Fjällbutiken", "idCode": "fjallbutiken", "status": "open", "defaultLangCode": "sv",
            "activeLangCodes": ["sv", "en"], "baseCurrency": "SEK", "defaultCustomerCountryCode": "SE",
            "generalDefaultVatRate": 25, "shopCompanyName": "Fjällbutiken AB", "shopAddress": "Storgatan 1",
            "shopPostalCode": "100 00", "shopCity": "Stockholm", "shopOrgNo": "559000-0000",
            "shopPhoneNo": "08-123 45", "shopVatNo": "SE559000000001", "shopCountryCode": "SE"}
