# Customer mini-program (issue #7): parcels a customer added, and outside logins (WeChat).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0004_ticket_updated_at_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerShipment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=40, verbose_name='waybill number')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shipment_bindings', to='tickets.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': "customer's parcel",
                'verbose_name_plural': "customers' parcels",
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('customer', 'number'), name='customer_shipment_once')],
            },
        ),
        migrations.CreateModel(
            name='CustomerIdentity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=20, verbose_name='provider')),
                ('subject', models.CharField(help_text="The provider's id of the user (WeChat: openid).", max_length=128, verbose_name='subject')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identities', to='tickets.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'customer login identity',
                'verbose_name_plural': 'customer login identities',
                'constraints': [models.UniqueConstraint(fields=('provider', 'subject'), name='customer_identity_once')],
            },
        ),
    ]
